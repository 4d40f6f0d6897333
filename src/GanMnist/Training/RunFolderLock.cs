using System.Diagnostics;
using System.Globalization;
using GanMnist.Checkpoints;

namespace GanMnist.Training;

/// <summary>
/// Keeps one training per run folder: an exclusive lock on <c>.ganmnist.lock</c> held while the run lives. The lock is
/// the operating system's (.NET's <see cref="FileShare.None"/>, an advisory <c>flock</c> on Unix, a sharing lock on
/// Windows), so it goes with the process: a run that was killed leaves nothing that blocks the next one. Who holds
/// it is written beside it (<c>.ganmnist.lock.owner</c>) for the message the second run gets.
/// </summary>
internal sealed class RunFolderLock : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _owner;

    private RunFolderLock(FileStream handle, string owner) => (_lock, _owner) = (handle, owner);

    /// <summary>Takes the folder's lock at once, or throws.</summary>
    /// <exception cref="IOException">Another training holds the folder; the message names the folder and that process.</exception>
    public static RunFolderLock Acquire(RunFolder folder)
    {
        var path = folder.LockFile;
        var owner = folder.LockOwnerFile;
        FileStream handle;
        try
        {
            handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            var holder = File.Exists(owner) ? TryRead(owner) : null;
            throw new IOException(
                $"The run folder '{folder}' is in use by another training ({holder ?? "its process did not say who it is"}). " +
                "Wait for it to finish, or train into another folder (OutputDirectory, --out).", e);
        }

        using var process = Process.GetCurrentProcess();
        var text = string.Create(CultureInfo.InvariantCulture,
            $"process {Environment.ProcessId} on {Environment.MachineName}, started {process.StartTime.ToUniversalTime():yyyy-MM-dd HH:mm:ss} UTC: {Environment.CommandLine}");
        IO.AtomicFile.WriteAllText(owner, text);
        return new RunFolderLock(handle, owner);
    }

    /// <summary>Releases the folder (the owner note goes; the lock file stays, as lock files do, so no one races on its creation).</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_owner);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a stale note is harmless: the next holder overwrites it
        }

        _lock.Dispose();
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
