namespace AttentionSharp.Training;

/// <summary>
/// An exclusive lock on a run folder for the duration of a training run (<c>run.lock</c>, held open with
/// <see cref="FileShare.None"/>: an advisory file lock that the operating system releases when the process ends, so the
/// lock of a killed run never blocks the next one). A second run pointed at the same folder is refused.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name in the run folder.</summary>
    public const string FileName = "run.lock";

    readonly FileStream _stream;

    RunLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock of <paramref name="folder"/> (created when missing); throws an <see cref="ArgumentException"/> when another run holds it.</summary>
    public static RunLock Acquire(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        try
        {
            return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException e)
        {
            throw new ArgumentException($"run folder '{folder}' is in use by another training run (it holds {FileName}); wait for it to finish, " +
                                        "stop it, or choose another --out", e);
        }
    }

    /// <summary>Releases the lock and removes the lock file.</summary>
    public void Dispose() => _stream.Dispose();
}
