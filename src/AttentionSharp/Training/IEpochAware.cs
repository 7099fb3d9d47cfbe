namespace AttentionSharp.Training;

/// <summary>
/// A training source whose examples depend on the epoch (e.g. canvases generated anew each epoch), or a trainable whose
/// settings do (e.g. a scheduled policy std). The trainer calls <see cref="BeginEpoch"/> before each training epoch (and
/// so before that epoch's validation); what it yields must be a function of the epoch alone, so a resumed or restarted
/// epoch sees the same examples and settings.
/// </summary>
public interface IEpochAware
{
    /// <summary>Switches to the examples of <paramref name="epoch"/> (1-based).</summary>
    void BeginEpoch(int epoch);
}
