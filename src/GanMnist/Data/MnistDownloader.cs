using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace GanMnist.Data;

/// <summary>
/// Downloads a dataset's published file: mirror after mirror until one gives the published digest. Bytes go to
/// a temporary file in the target folder, renamed to the final name only once complete and verified;
/// a failed, cancelled or corrupt download never leaves a file under the final name.
/// </summary>
internal sealed partial class MnistDownloader(HttpClient http, ILogger logger)
{
    private const int ReportEvery = 1 << 20;

    /// <summary>A process-wide client: connections are pooled and recycled, timeouts are per download.</summary>
    internal static readonly HttpClient SharedClient = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Downloads <paramref name="fileName"/> into <paramref name="directory"/> and returns its path.</summary>
    /// <exception cref="IOException">No mirror gave the file; the message lists each mirror's failure.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is left behind.</exception>
    internal async Task<string> DownloadAsync(string fileName, FileDigest? expected, string directory, IEnumerable<Uri> mirrors, TimeSpan timeout,
        IProgress<MnistDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var final = Path.Combine(directory, fileName);
        var failures = new List<string>();
        foreach (var mirror in mirrors)
        {
            var source = new Uri(mirror.AbsoluteUri.EndsWith('/') ? mirror : new Uri(mirror.AbsoluteUri + "/"), fileName);
            var temporary = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.part");
            try
            {
                LogDownloading(logger, fileName, source);
                var failure = await TryDownloadAsync(source, temporary, expected, timeout, progress, cancellationToken).ConfigureAwait(false);
                if (failure is null)
                {
                    File.Move(temporary, final, overwrite: true);
                    LogDownloaded(logger, fileName, final);
                    return final;
                }

                failures.Add($"{source}: {failure}");
                LogMirrorFailed(logger, source, failure);
            }
            finally
            {
                File.Delete(temporary);
            }
        }

        throw new IOException($"Could not download {fileName} from any mirror:{Environment.NewLine}  - " +
            string.Join(Environment.NewLine + "  - ", failures));
    }

    /// <summary>One attempt: null on success, else why it failed (cancellation by the caller propagates).</summary>
    private async Task<string?> TryDownloadAsync(Uri source, string temporary, FileDigest? expected, TimeSpan timeout,
        IProgress<MnistDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var response = await http.GetAsync(source, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            }

            var total = response.Content.Headers.ContentLength;
            using var hash = IncrementalHash.CreateHash(expected?.Algorithm ?? HashAlgorithmName.SHA256);
            long received = 0;
            var stream = await response.Content.ReadAsStreamAsync(limit.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await using (file.ConfigureAwait(false))
                {
                    var buffer = new byte[1 << 16];
                    long nextReport = 0;
                    int read;
                    while ((read = await stream.ReadAsync(buffer, limit.Token).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), limit.Token).ConfigureAwait(false);
                        received += read;
                        if (received >= nextReport)
                        {
                            progress?.Report(new MnistDownloadProgress(Path.GetFileName(source.LocalPath), source, received, total));
                            nextReport = received + ReportEvery;
                        }
                    }

                    await file.FlushAsync(limit.Token).ConfigureAwait(false);
                }
            }

            progress?.Report(new MnistDownloadProgress(Path.GetFileName(source.LocalPath), source, received, total));
            if (total is { } announced && received != announced)
            {
                return $"truncated: received {received} of {announced} bytes";
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            return expected is null || actual == expected.Hex ? null
                : $"{Display(expected.Algorithm)} {actual} does not match the published {expected.Hex} ({received} bytes received)";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"timed out after {timeout}";
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Extracts one member of a zip archive (EMNIST's <c>gzip.zip</c>) into <paramref name="directory"/> as
    /// <paramref name="fileName"/>, atomically: a temporary file renamed once complete.
    /// </summary>
    /// <exception cref="InvalidDataException">The archive is not a zip or lacks the member; the message names both.</exception>
    internal string Extract(string archive, string member, string directory, string fileName)
    {
        Directory.CreateDirectory(directory);
        var final = Path.Combine(directory, fileName);
        var temporary = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.part");
        try
        {
            using (var zip = ZipFile.OpenRead(archive))
            {
                var entry = zip.GetEntry(member)
                    ?? throw new InvalidDataException($"Archive '{archive}' has no member '{member}' ({zip.Entries.Count} members, e.g. '{zip.Entries.FirstOrDefault()?.FullName}').");
                entry.ExtractToFile(temporary);
            }

            File.Move(temporary, final, overwrite: true);
            LogExtracted(logger, member, archive, final);
            return final;
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("Archive '", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Archive '{archive}' cannot be read as a zip file ({e.Message}).", e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string Display(HashAlgorithmName algorithm) => algorithm == HashAlgorithmName.SHA256 ? "SHA-256" : algorithm.Name!;

    [LoggerMessage(Level = LogLevel.Information, Message = "Extracted {Member} from {Archive} as {Path}")]
    private static partial void LogExtracted(ILogger logger, string member, string archive, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloading {FileName} from {Source}")]
    private static partial void LogDownloading(ILogger logger, string fileName, Uri source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded and verified {FileName} as {Path}")]
    private static partial void LogDownloaded(ILogger logger, string fileName, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror {Source} failed: {Reason}")]
    private static partial void LogMirrorFailed(ILogger logger, Uri source, string reason);
}
