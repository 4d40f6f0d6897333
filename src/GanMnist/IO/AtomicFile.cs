using System.Text;

namespace GanMnist.IO;

/// <summary>Writes files so that a reader never sees a half-written one: a temporary file in the same folder, renamed over the old one once complete.</summary>
internal static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    internal static void WriteAllBytes(string path, byte[] content) => Write(path, stream => stream.Write(content));

    internal static void WriteAllText(string path, string content) => WriteAllBytes(path, Utf8.GetBytes(content));

    /// <summary>
    /// Writes text chunk by chunk through a small buffer: a run rewrites its report and history every epoch, and as one
    /// string and one byte array each they would be large-object garbage (collected only with generation 2) that grows
    /// with the run's length.
    /// </summary>
    internal static void WriteAllText(string path, StringBuilder content) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, Utf8, bufferSize: 16 * 1024, leaveOpen: true);
        foreach (var chunk in content.GetChunks())
        {
            writer.Write(chunk.Span);
        }
    });

    /// <summary>Writes whatever <paramref name="write"/> puts into the stream it is given, atomically.</summary>
    /// <exception cref="IOException">The file could not be written; the message names it, and the file as it was is unchanged.</exception>
    internal static void Write(string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 16 * 1024))
            {
                write(stream);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failed(path, e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// A failed atomic write (disk full, no permission), named by the file it was for rather than its temporary file; the
    /// file as it was before is untouched, since only a complete temporary file is ever renamed over it.
    /// </summary>
    internal static IOException Failed(string path, Exception cause) =>
        new($"Could not write '{path}' ({cause.Message.TrimEnd('.')}); the file as it was before is unchanged.", cause);
}
