using System.Net;
using System.Net.Sockets;
using GanMnist.Data;

namespace GanMnist.Tests.Data;

/// <summary>
/// A local HTTP/1.1 server for the download tests: /good/, /missing/ (404), /truncated/ (half the body, then the
/// connection is closed) and /wrong/ (altered bytes). It is written on a plain socket and closes every connection
/// after one response, so that no test depends on HttpListener's keep-alive or abort behaviour.
/// </summary>
internal sealed class MirrorServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MirrorServer()
    {
        _listener.Start();
        Root = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(ServeAsync);
    }

    public Uri Root { get; }

    public int Requests;

    public Uri Mirror(string kind) => new(Root, kind + "/");

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await using var stream = new NetworkStream(client, ownsSocket: false);
                var path = await ReadRequestPathAsync(stream);
                Interlocked.Increment(ref Requests);
                var parts = path.Trim('/').Split('/');
                var file = Path.Combine(TestData.MnistDirectory, parts[^1]);
                if (parts[0] == "missing" || !File.Exists(file))
                {
                    await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                    return;
                }

                var bytes = await File.ReadAllBytesAsync(file);
                if (parts[0] == "wrong")
                {
                    bytes[bytes.Length / 2] ^= 0xFF;
                }

                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n"));
                await stream.WriteAsync(parts[0] == "truncated" ? bytes.AsMemory(0, bytes.Length / 2) : bytes);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // the client went away (cancellation tests)
            }
            finally
            {
                // Closing after one response ends the body: a truncated file reaches the client as a premature end.
                try
                {
                    client.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException)
                {
                }
            }
        }
    }

    /// <summary>Reads the request head up to the empty line and returns the path of its request line.</summary>
    private static async Task<string> ReadRequestPathAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var buffer = new byte[1024];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                throw new IOException("The client closed the connection before the end of its request.");
            }

            head.AddRange(buffer.AsSpan(0, read));
        }

        var requestLine = System.Text.Encoding.ASCII.GetString([.. head]).Split("\r\n")[0];
        return new Uri(new Uri("http://localhost"), requestLine.Split(' ')[1]).AbsolutePath;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }
}

/// <summary>Reports synchronously, so a test can cancel in the middle of a download.</summary>
internal sealed class RecordingProgress(Action<MnistDownloadProgress>? onReport = null) : IProgress<MnistDownloadProgress>
{
    public List<MnistDownloadProgress> Reports { get; } = [];

    public void Report(MnistDownloadProgress value)
    {
        lock (Reports)
        {
            Reports.Add(value);
        }

        onReport?.Invoke(value);
    }
}

[Collection(EnvironmentCollection.Name)]
public sealed class MnistDownloadTests : IDisposable
{
    private readonly MirrorServer _server = new();
    private readonly TempFolder _target = new();
    private readonly TempFolder _cache = new();
    private readonly string? _savedData = Environment.GetEnvironmentVariable("GANMNIST_DATA");

    public MnistDownloadTests() => Environment.SetEnvironmentVariable("GANMNIST_DATA", null);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("GANMNIST_DATA", _savedData);
        _server.Dispose();
        _target.Dispose();
        _cache.Dispose();
    }

    private MnistDatasetOptions Options(params string[] mirrors) => new()
    {
        Directory = _target.Path,
        CacheDirectory = _cache.Path,
        AllowDownload = true,
        Mirrors = [.. mirrors.Select(_server.Mirror)],
        DownloadTimeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task Download_BadMirrorsThenGoodOne_SkipsEachFailureAndKeepsOnlyVerifiedFiles()
    {
        var progress = new RecordingProgress();

        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, Options("missing", "wrong", "truncated", "good"), progress);

        data.Count.Should().Be(10_000);
        data.ClassCounts.Should().Equal(980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009);
        Directory.GetFiles(_target.Path).Select(Path.GetFileName).Should().BeEquivalentTo("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
        _server.Requests.Should().Be(8, "each file is tried on the four mirrors in order");
        progress.Reports.Should().Contain(r => r.FileName == "t10k-images-idx3-ubyte.gz" && r.BytesReceived == 1648877 && r.TotalBytes == 1648877);
    }

    [Fact]
    public async Task Download_EveryMirrorFails_ListsEachMirrorsReasonAndLeavesNothing()
    {
        var act = () => MnistDataset.LoadAsync(MnistSplit.Test, Options("missing", "wrong", "truncated"));

        var message = (await act.Should().ThrowAsync<IOException>()).Which.Message;
        message.Should().StartWith("Could not download t10k-images-idx3-ubyte.gz from any mirror:");
        message.Should().Contain($"{_server.Mirror("missing")}t10k-images-idx3-ubyte.gz: HTTP 404");
        message.Should().Contain($"{_server.Mirror("wrong")}t10k-images-idx3-ubyte.gz: SHA-256 ")
            .And.Contain("does not match the published 8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6");
        message.Should().Contain($"{_server.Mirror("truncated")}t10k-images-idx3-ubyte.gz: ");
        Directory.GetFiles(_target.Path).Should().BeEmpty("no partial or unverified file may remain");
    }

    [Fact]
    public async Task Download_CancelledMidway_ThrowsAndLeavesNoFile()
    {
        using var cancel = new CancellationTokenSource();
        var progress = new RecordingProgress(_ => cancel.Cancel());

        var act = () => MnistDataset.LoadAsync(MnistSplit.Test, Options("good"), progress, cancellationToken: cancel.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        Directory.GetFiles(_target.Path).Should().BeEmpty();
    }

    [Fact]
    public async Task Download_FilesAlreadyInTarget_AreNotDownloadedAgain()
    {
        File.Copy(Path.Combine(TestData.MnistDirectory, "t10k-labels-idx1-ubyte.gz"), Path.Combine(_target.Path, "t10k-labels-idx1-ubyte.gz"));

        using var data = await MnistDataset.LoadAsync(MnistSplit.Test, Options("good"));

        _server.Requests.Should().Be(1, "only the missing images file is fetched");
        data.Count.Should().Be(10_000);
    }
}
