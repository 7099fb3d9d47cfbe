using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AttentionSharp.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace AttentionSharp.Training;

/// <summary>Raised when a checkpoint cannot be used: missing, truncated, corrupt, foreign, or from other options.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The JSON header of a checkpoint: what model it holds, with which options, and where training stood.</summary>
public sealed class CheckpointHeader
{
    /// <summary>Checkpoint container version.</summary>
    public int Format { get; set; } = Checkpoint.FormatVersion;
    /// <summary>Model family and variant, e.g. <c>baseline/fc</c>; a checkpoint only loads into the same kind.</summary>
    public string Kind { get; set; } = "";
    /// <summary>The model's options record as JSON (architecture, task); must match to load weights.</summary>
    public JsonNode? Options { get; set; }
    /// <summary>Extra payload a model needs besides weights (vocabularies, label names), as JSON.</summary>
    public JsonNode? Extra { get; set; }
    /// <summary>Trainer state: epochs completed, best value, early-stopping count.</summary>
    public TrainerState State { get; set; } = new();
    /// <summary>AttentionSharp version that wrote it.</summary>
    public string Writer { get; set; } = typeof(Checkpoint).Assembly.GetName().Version?.ToString() ?? "?";
    /// <summary>UTC time written.</summary>
    public DateTime WrittenUtc { get; set; } = DateTime.UtcNow;
}

/// <summary>Trainer progress stored in a checkpoint.</summary>
public sealed class TrainerState
{
    /// <summary>Epochs completed.</summary>
    public int Epoch { get; set; }
    /// <summary>Best monitored value so far (NaN when none).</summary>
    public double BestValue { get; set; } = double.NaN;
    /// <summary>Epoch of the best value.</summary>
    public int BestEpoch { get; set; }
    /// <summary>Epochs since the monitored value last improved (by more than <see cref="TrainerOptions.MinDelta"/>).</summary>
    public int EpochsWithoutImprovement { get; set; }
    /// <summary>
    /// With <see cref="TrainerOptions.MinDelta"/> &gt; 0: the monitored value that last reset the patience counts. Null
    /// otherwise (then the reference is <see cref="BestValue"/>), and then not written, so that checkpoints of runs without a
    /// margin keep the header of earlier releases.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? PatienceReference { get; set; }
    /// <summary>Whether early stopping ended the run.</summary>
    public bool Stopped { get; set; }
    /// <summary>Plateau schedule: learning-rate cuts made so far.</summary>
    public int RateCuts { get; set; }
    /// <summary>Plateau schedule: epochs without improvement since the last improvement or cut.</summary>
    public int EpochsSinceCut { get; set; }
    /// <summary>Seconds of training so far (summed over resumed runs).</summary>
    public double Seconds { get; set; }
    /// <summary>Optimizer steps taken so far (0 in checkpoints written before it was recorded).</summary>
    public long Steps { get; set; }
}

/// <summary>
/// A single-file checkpoint: magic, format version, JSON header, then weights, optimiser state and the
/// torch RNG state, closed by a SHA-256 of everything before it. Written atomically; loading checks every part.
/// </summary>
public static class Checkpoint
{
    /// <summary>The container version this code writes and reads.</summary>
    public const int FormatVersion = 1;
    static readonly byte[] Magic = "ATTNCKPT"u8.ToArray();
    /// <summary>JSON settings for headers and options records.</summary>
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = false, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Writes a checkpoint atomically: weights of <paramref name="model"/>, optional optimiser state and the RNG state.</summary>
    public static void Save(string path, CheckpointHeader header, nn.Module model, optim.Optimizer? optimizer)
    {
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            WriteBlock(w, bw => model.save(bw));
            WriteBlock(w, bw =>
            {
                if (optimizer is TorchSharp.Modules.OptimizerHelper helper) helper.save_state_dict(bw);
                else if (optimizer != null) throw new ArgumentException($"optimizer {optimizer.GetType().Name} cannot save its state");
            });
            using var rng = torch.random.get_rng_state();
            WriteBlock(w, bw => bw.Write(rng.data<byte>().ToArray()));
        }
        byte[] head = JsonSerializer.SerializeToUtf8Bytes(header, Json);
        AtomicFile.Write(path, s =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Put(ReadOnlySpan<byte> b) { s.Write(b); hash.AppendData(b); }
            Put(Magic);
            Put(BitConverter.GetBytes(FormatVersion));
            Put(BitConverter.GetBytes(head.Length));
            Put(head);
            Put(BitConverter.GetBytes(payload.Length));
            Put(payload.GetBuffer().AsSpan(0, (int)payload.Length));
            s.Write(hash.GetHashAndReset());
        });
    }

    /// <summary>Reads and verifies the whole file, returning the header and the payload.</summary>
    static (CheckpointHeader Header, byte[] Payload) ReadVerified(string path)
    {
        if (Directory.Exists(path)) path = ResolveRunFolder(path);
        if (!File.Exists(path)) throw new CheckpointException($"checkpoint '{path}' does not exist");
        byte[] all;
        try { all = File.ReadAllBytes(path); }
        catch (IOException e) { throw new CheckpointException($"cannot read checkpoint '{path}': {e.Message}", e); }
        int minimum = Magic.Length + 8 + 8 + 32;
        if (all.Length < Magic.Length || !all.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException($"'{path}' is not an AttentionSharp checkpoint (it does not start with the ATTNCKPT marker)");
        if (all.Length < minimum) throw new CheckpointException($"checkpoint '{path}' is truncated ({all.Length} bytes)");
        int version = BitConverter.ToInt32(all, 8);
        if (version != FormatVersion)
            throw new CheckpointException($"checkpoint '{path}' has format version {version}; this AttentionSharp reads version {FormatVersion}");
        int headLen = BitConverter.ToInt32(all, 12);
        if (headLen < 2 || 16L + headLen + 8 + 32 > all.Length)
            throw new CheckpointException($"checkpoint '{path}' is truncated or corrupt (header length {headLen}, file {all.Length} bytes)");
        long payloadLen = BitConverter.ToInt64(all, 16 + headLen);
        long expected = 16L + headLen + 8 + payloadLen + 32;
        if (payloadLen < 0 || expected != all.Length)
            throw new CheckpointException($"checkpoint '{path}' is truncated or corrupt: expected {expected} bytes, found {all.Length}");
        var digest = SHA256.HashData(all.AsSpan(0, all.Length - 32));
        if (!digest.AsSpan().SequenceEqual(all.AsSpan(all.Length - 32)))
            throw new CheckpointException($"checkpoint '{path}' is corrupt: its SHA-256 does not match its content");
        CheckpointHeader header;
        try { header = JsonSerializer.Deserialize<CheckpointHeader>(all.AsSpan(16, headLen), Json) ?? throw new JsonException("null header"); }
        catch (JsonException e) { throw new CheckpointException($"checkpoint '{path}' has an unreadable header: {e.Message}", e); }
        return (header, all.AsSpan((int)(24 + headLen), (int)payloadLen).ToArray());
    }

    /// <summary>The number of values (elements of every tensor) in a checkpoint's weights, read without building a tensor.</summary>
    /// <remarks>
    /// Reads the weights block only (not the optimiser state), straight from the file, and skips the SHA-256: every caller has just verified the file
    /// (its run record was read through <see cref="ReadHeader"/>), and <see cref="Load"/> verifies it again.
    /// </remarks>
    public static long StoredValues(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            using var r = new BinaryReader(file, Encoding.UTF8);
            file.Seek(12, SeekOrigin.Begin);
            int headLen = r.ReadInt32();
            if (headLen < 2) throw new InvalidDataException($"header length {headLen}");
            file.Seek(16L + headLen + 8, SeekOrigin.Begin);                       // past the header and the payload length
            long n = r.ReadInt64();
            if (n < 0 || n > file.Length - file.Position) throw new InvalidDataException("weights block length out of range");
            using var weights = new MemoryStream(r.ReadBytes((int)n), writable: false);
            return StateDictStream.Read(weights, data: false).Sum(e => e.Shape.Aggregate(1L, (a, d) => a * d));
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new CheckpointException($"checkpoint '{path}' has unreadable weights: {e.Message}", e);
        }
    }

    /// <summary>
    /// Builds the model that checkpoint <paramref name="path"/> describes with <paramref name="build"/> (from the options in its
    /// header) under a <see cref="ParameterBudget"/> of the values its weights hold, plus a margin: options that ask for a
    /// larger model (an altered or mismatched header) are refused before the layer that would pass it is allocated.
    /// </summary>
    public static T BuildFor<T>(string path, Func<T> build)
    {
        if (Directory.Exists(path)) path = ResolveRunFolder(path);
        long stored = StoredValues(path);
        using var _ = ParameterBudget.Limit(stored + Math.Max(stored / 4, 1 << 16));
        try { return build(); }
        catch (ParameterBudgetException e)
        {
            throw new CheckpointException($"checkpoint '{path}' asks for a model larger than the {stored:N0} values its weights hold ({e.Message}); its options do not belong to its weights");
        }
    }

    /// <summary>Reads and verifies a checkpoint's header (a run folder resolves to its best checkpoint).</summary>
    public static CheckpointHeader ReadHeader(string path) => ReadVerified(path).Header;

    /// <summary>
    /// Loads weights into <paramref name="model"/> (built with the header's options) and, when given, the optimiser
    /// state; restores the RNG state when <paramref name="restoreRng"/>. Checks the kind first.
    /// </summary>
    public static CheckpointHeader Load(string path, string expectedKind, nn.Module model, optim.Optimizer? optimizer = null, bool restoreRng = false)
    {
        var (header, payload) = ReadVerified(path);
        if (header.Kind != expectedKind)
            throw new CheckpointException($"checkpoint '{path}' holds a '{header.Kind}' model; expected '{expectedKind}'");
        using var r = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        try
        {
            using (var m = ReadBlock(r))
            using (var weights = CheckpointMigrations.Apply(m, model)) model.load(new BinaryReader(weights), strict: true);
            using (var o = ReadBlock(r))
            {
                if (optimizer != null)
                {
                    if (o.Length == 0) throw new CheckpointException($"checkpoint '{path}' has no optimizer state to resume from");
                    if (optimizer is not TorchSharp.Modules.OptimizerHelper helper)
                        throw new ArgumentException($"optimizer {optimizer.GetType().Name} cannot load its state");
                    try { OptimizerStateCheck.Validate(o, optimizer); }
                    catch (InvalidDataException e) { throw new CheckpointException($"checkpoint '{path}' has an optimizer state that does not fit this run: {e.Message}", e); }
                    helper.load_state_dict(new BinaryReader(o));
                }
            }
            using var g = ReadBlock(r);
            if (restoreRng)
            {
                try { CheckRngState(g.ToArray()); }
                catch (InvalidDataException e) { throw new CheckpointException($"checkpoint '{path}' has a random-generator state that libtorch cannot take: {e.Message}", e); }
                using var t = torch.tensor(g.ToArray(), dtype: ScalarType.Byte);
                torch.random.set_rng_state(t);
            }
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            throw new CheckpointException($"checkpoint '{path}' does not fit this model ({header.Kind}): {e.Message}", e);
        }
        return header;
    }

    /// <summary>
    /// Checks a stored CPU generator state the way libtorch's <c>CPUGeneratorImpl::set_state</c> does, because libtorch
    /// reports a bad state by a C++ exception that TorchSharp does not catch (it ends the process): the size of
    /// <c>CPUGeneratorImplState</c> (5,056 bytes) or of its legacy form (5,048), and an mt19937 engine that is seeded, has
    /// 1..624 values left and a next index of at most 624 (fields at bytes 8, 12 and 16 after the 8-byte initial seed).
    /// </summary>
    internal static void CheckRngState(ReadOnlySpan<byte> state)
    {
        const int Current = 5056, Legacy = 5048, MersenneN = 624;
        if (state.Length != Current && state.Length != Legacy)
            throw new InvalidDataException($"{state.Length} bytes; libtorch's CPU generator state is {Current} (or {Legacy} in its legacy form)");
        int left = BitConverter.ToInt32(state[8..]), seeded = BitConverter.ToInt32(state[12..]);
        uint next = (uint)BitConverter.ToUInt64(state[16..]);
        if (seeded == 0 || left <= 0 || left > MersenneN || next > MersenneN)
            throw new InvalidDataException($"an mt19937 engine that is not valid (seeded {seeded}, left {left}, next {next}; expected seeded, left in 1..{MersenneN}, next <= {MersenneN})");
    }

    static void WriteBlock(BinaryWriter w, Action<BinaryWriter> write)
    {
        using var block = new MemoryStream();
        using (var bw = new BinaryWriter(block, Encoding.UTF8, leaveOpen: true)) write(bw);
        w.Write(block.Length);
        w.Write(block.GetBuffer(), 0, (int)block.Length);
    }

    static MemoryStream ReadBlock(BinaryReader r)
    {
        long n = r.ReadInt64();
        if (n < 0 || n > r.BaseStream.Length - r.BaseStream.Position) throw new InvalidDataException("block length out of range");
        return new MemoryStream(r.ReadBytes((int)n), writable: false);
    }

    /// <summary>The best checkpoint of a run folder, or its last one when no best exists.</summary>
    public static string ResolveRunFolder(string folder)
    {
        foreach (var name in new[] { BestFile, LastFile })
        {
            var p = Path.Combine(folder, name);
            if (File.Exists(p)) return p;
        }
        throw new CheckpointException($"run folder '{folder}' has no {BestFile} or {LastFile}");
    }

    /// <summary>File name of the best checkpoint in a run folder.</summary>
    public const string BestFile = "best.ckpt";
    /// <summary>File name of the latest checkpoint in a run folder.</summary>
    public const string LastFile = "last.ckpt";
}
