using System.Globalization;
using AttentionSharp.Data.Text;

namespace AttentionSharp.Data.Series;

/// <summary>
/// A user's series as CSV: a header row, a time column (dates/times such as <c>2016-08-28</c> or <c>2016-08-28 13:30</c>, or
/// numbers), a target column and driver columns (all other columns when none are named). Errors name the file's line:
/// an empty target, a cell that is not a number, a time that is not after the previous row's, a gap in a regular series.
/// </summary>
public static class SeriesCsv
{
    /// <summary>Cells read as missing: empty, NA, NaN, null.</summary>
    static bool IsMissing(string cell) => cell.Trim() is "" or "NA" or "NaN" or "nan" or "null" or "NULL";

    /// <summary>Reads <paramref name="path"/>; see the type's summary.</summary>
    /// <param name="path">CSV file (UTF-8, comma-separated, header row).</param>
    /// <param name="timeColumn">Name of the time column.</param>
    /// <param name="targetColumn">Name of the target column.</param>
    /// <param name="driverColumns">Driver columns (null: every column but time and target).</param>
    /// <param name="allowGaps">Accept irregular time steps (otherwise a step longer than the most common one is an error).</param>
    public static TimeSeries Load(string path, string timeColumn, string targetColumn, IReadOnlyList<string>? driverColumns = null, bool allowGaps = false)
    {
        var records = CsvReader.ReadFile(path);
        return Parse(records, path, timeColumn, targetColumn, driverColumns, allowGaps);
    }

    /// <summary>Parses records (the first is the header); <paramref name="source"/> names the input in errors.</summary>
    public static TimeSeries Parse(IReadOnlyList<string[]> records, string source, string timeColumn, string targetColumn,
        IReadOnlyList<string>? driverColumns = null, bool allowGaps = false)
    {
        if (records.Count < 2) throw new InvalidDataException($"{source}: needs a header row and at least one data row; found {records.Count} rows");
        var header = records[0].Select(h => h.Trim()).ToArray();
        int Col(string name, string role) => Array.IndexOf(header, name) is var i && i >= 0 ? i
            : throw new InvalidDataException($"{source}: no {role} column '{name}' in the header; columns: {string.Join(", ", header)}");
        int timeCol = Col(timeColumn, "time"), targetCol = Col(targetColumn, "target");
        var drivers = (driverColumns ?? header.Where(h => h != timeColumn && h != targetColumn).ToArray())
            .Select(d => (Name: d, Index: Col(d, "driver"))).ToArray();
        if (drivers.Any(d => d.Index == timeCol || d.Index == targetCol))
            throw new InvalidDataException($"{source}: a driver column is the time or target column");
        int n = records.Count - 1;
        var times = new string[n];
        var keys = new double[n];
        var target = new double[n];
        var x = drivers.Select(_ => new double[n]).ToArray();
        bool? isDate = null;
        for (int r = 0; r < n; r++)
        {
            var row = records[r + 1];
            int line = r + 2;
            if (row.Length != header.Length)
                throw new InvalidDataException($"{source}, line {line}: {row.Length} cells, the header has {header.Length}");
            string time = row[timeCol].Trim();
            if (IsMissing(time)) throw new InvalidDataException($"{source}, line {line}: the time '{timeColumn}' is empty");
            double key;
            if (DateTime.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt)
                && !double.TryParse(time, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                if (isDate == false) throw new InvalidDataException($"{source}, line {line}: time '{time}' is a date, earlier rows are numbers");
                isDate = true;
                key = dt.Ticks / (double)TimeSpan.TicksPerSecond;
            }
            else if (double.TryParse(time, NumberStyles.Float, CultureInfo.InvariantCulture, out key))
            {
                if (isDate == true) throw new InvalidDataException($"{source}, line {line}: time '{time}' is a number, earlier rows are dates");
                isDate = false;
            }
            else throw new InvalidDataException($"{source}, line {line}: time '{time}' is neither a date nor a number");
            if (r > 0 && key <= keys[r - 1])
                throw new InvalidDataException($"{source}, line {line}: time '{time}' is not after the previous row's '{times[r - 1]}' (rows must be sorted by time, without repeats)");
            times[r] = time;
            keys[r] = key;
            target[r] = Number(row[targetCol], source, line, targetColumn, "target");
            for (int k = 0; k < drivers.Length; k++) x[k][r] = Number(row[drivers[k].Index], source, line, drivers[k].Name, "driver");
        }
        if (!allowGaps && n >= 3)
        {
            var steps = Enumerable.Range(1, n - 1).Select(i => keys[i] - keys[i - 1]).ToArray();
            double step = steps.GroupBy(s => s).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
            for (int i = 0; i < steps.Length; i++)
                if (steps[i] > step * (1 + 1e-9))
                    throw new InvalidDataException($"{source}, line {i + 3}: gap: time '{times[i + 1]}' follows '{times[i]}' after {steps[i] / step:0.##} regular steps " +
                                                   "(fill the missing rows, or allow gaps)");
        }
        var series = new TimeSeries(source, times, targetColumn, target, drivers.Select(d => d.Name).ToArray(), x);
        series.Validate();
        return series;
    }

    static double Number(string cell, string source, int line, string column, string role)
    {
        if (IsMissing(cell)) throw new InvalidDataException($"{source}, line {line}: the {role} '{column}' is empty (missing values are not supported; fill them first)");
        if (!double.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new InvalidDataException($"{source}, line {line}: the {role} '{column}' is '{cell}', not a number");
        return v;
    }
}
