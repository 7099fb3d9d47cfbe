namespace AttentionSharp.Data.Series;

/// <summary>
/// A regularly sampled multivariate series: a target and driver series over the same time steps, in time order.
/// Values are raw (unscaled); missing driver values are not allowed (loaders reject or fill them and say so).
/// </summary>
/// <param name="Name">Where it came from, e.g. <c>chicago</c> or a CSV path.</param>
/// <param name="Times">Label of each time step (ISO date or the CSV's text), ascending.</param>
/// <param name="TargetName">Name of the target column.</param>
/// <param name="Target">Target values, one per time step.</param>
/// <param name="DriverNames">Names of the driver series.</param>
/// <param name="Drivers">Driver values, <c>Drivers[k][t]</c>.</param>
public sealed record TimeSeries(string Name, string[] Times, string TargetName, double[] Target, string[] DriverNames, double[][] Drivers)
{
    /// <summary>Number of time steps.</summary>
    public int Length => Target.Length;

    /// <summary>Throws <see cref="InvalidDataException"/> when lengths disagree or a value is not finite.</summary>
    public void Validate()
    {
        if (Times.Length != Target.Length) throw new InvalidDataException($"{Name}: {Times.Length} time labels but {Target.Length} target values");
        if (DriverNames.Length != Drivers.Length) throw new InvalidDataException($"{Name}: {DriverNames.Length} driver names but {Drivers.Length} driver series");
        for (int t = 0; t < Target.Length; t++)
            if (!double.IsFinite(Target[t])) throw new InvalidDataException($"{Name}: target '{TargetName}' is not finite at {Times[t]} (step {t})");
        for (int k = 0; k < Drivers.Length; k++)
        {
            if (Drivers[k].Length != Target.Length)
                throw new InvalidDataException($"{Name}: driver '{DriverNames[k]}' has {Drivers[k].Length} values, the target {Target.Length}");
            for (int t = 0; t < Target.Length; t++)
                if (!double.IsFinite(Drivers[k][t])) throw new InvalidDataException($"{Name}: driver '{DriverNames[k]}' is not finite at {Times[t]} (step {t})");
        }
    }

    /// <summary>The series with only the drivers named (in that order); throws naming an unknown one.</summary>
    public TimeSeries WithDrivers(IReadOnlyList<string> names)
    {
        var idx = names.Select(n => Array.IndexOf(DriverNames, n) is var i && i >= 0 ? i
            : throw new ArgumentException($"{Name} has no driver '{n}'; it has {string.Join(", ", DriverNames)}")).ToArray();
        return this with { DriverNames = [.. names], Drivers = idx.Select(i => Drivers[i]).ToArray() };
    }

    /// <summary>The first index whose time label is &gt;= <paramref name="time"/> (ordinal comparison of ISO labels), or <see cref="Length"/>.</summary>
    public int IndexAtOrAfter(string time)
    {
        for (int t = 0; t < Times.Length; t++)
            if (string.CompareOrdinal(Times[t], time) >= 0) return t;
        return Times.Length;
    }
}
