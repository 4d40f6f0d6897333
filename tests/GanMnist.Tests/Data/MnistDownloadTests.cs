using System.Net;
using System.Net.Sockets;
using GanMnist.Data;

namespace GanMnist.Tests.Data;

/// <summary>A local HTTP server for the download tests: /good/, /missing/ (404), /truncated/ and /wrong/ (altered bytes).</summary>
internal sealed class MirrorServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public MirrorServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Root = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Root.AbsoluteUri);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Root { get; }

    public int Requests;

    public Uri Mirror(string kind) => new(Root, kind + "/");

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private void Handle(HttpListenerContext context)
    {
        Interlocked.Increment(ref Requests);
        var response = context.Response;
        try
        {
            var parts = context.Request.Url!.AbsolutePath.Trim('/').Split('/');
            var file = Path.Combine(TestData.MnistDirectory, parts[^1]);
            if (parts[0] == "missing" || !File.Exists(file))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }

            var bytes = File.ReadAllBytes(file);
            response.ContentLength64 = bytes.Length;
            switch (parts[0])
            {
                case "good":
                    response.OutputStream.Write(bytes);
                    response.Close();
                    break;
                case "wrong":
                    bytes[bytes.Length / 2] ^= 0xFF;
                    response.OutputStream.Write(bytes);
                    response.Close();
                    break;
                case "truncated":
                    response.OutputStream.Write(bytes, 0, bytes.Length / 2);
                    response.OutputStream.Flush();
                    response.Abort();
                    break;
            }
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // the client went away (cancellation tests)
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
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
