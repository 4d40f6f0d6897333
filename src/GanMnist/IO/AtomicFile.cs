namespace GanMnist.IO;

/// <summary>Writes files so that a reader never sees a half-written one.</summary>
internal static class AtomicFile
{
    internal static void WriteAllBytes(string path, byte[] content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, content);
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

    internal static void WriteAllText(string path, string content) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(content));
}
