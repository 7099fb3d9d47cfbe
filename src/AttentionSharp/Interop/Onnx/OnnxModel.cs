using System.Text;

namespace AttentionSharp.Interop.Onnx;

/// <summary>An ONNX tensor: its name, element type (ONNX <c>TensorProto.DataType</c>), shape and values as floats or longs.</summary>
/// <param name="Name">Initializer or attribute tensor name.</param>
/// <param name="DataType">ONNX data type code: 1 float, 6 int32, 7 int64 (others are rejected when read).</param>
/// <param name="Dims">Shape.</param>
/// <param name="Floats">Values of a float tensor (row-major), else null.</param>
/// <param name="Longs">Values of an int32/int64 tensor, else null.</param>
public sealed record OnnxTensor(string Name, int DataType, long[] Dims, float[]? Floats, long[]? Longs)
{
    /// <summary>Number of elements the shape holds.</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);
}

/// <summary>One attribute of a node: a float, an int, a string, a tensor, or lists of floats or ints.</summary>
public sealed record OnnxAttribute(string Name, float? Float, long? Int, string? String, OnnxTensor? Tensor, float[] Floats, long[] Ints);

/// <summary>One graph node: operator, named inputs and outputs, attributes.</summary>
public sealed record OnnxNode(string Name, string OpType, string[] Inputs, string[] Outputs, IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    /// <summary>The ints of attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public long[] Ints(string name, long[] fallback) => Attributes.TryGetValue(name, out var a) ? a.Ints : fallback;
    /// <summary>The int of attribute <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) && a.Int is long v ? v : fallback;
    /// <summary>The float of attribute <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) && a.Float is float v ? v : fallback;
    /// <summary>The string of attribute <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public string String(string name, string fallback) => Attributes.TryGetValue(name, out var a) && a.String is string v ? v : fallback;
}

/// <summary>A graph input or output: name and shape (a dimension that is symbolic or absent is -1).</summary>
public sealed record OnnxValue(string Name, long[] Dims);

/// <summary>
/// An ONNX model read from its protobuf file without ONNX Runtime: the graph's nodes in file order (ONNX requires a
/// topological order), its initializers (weights), inputs and outputs. Only what <see cref="OnnxGraph"/> executes is
/// read; other fields are skipped. The wire format is protobuf's (varints, length-delimited fields, fixed 32/64-bit);
/// field numbers are those of onnx.proto (ModelProto.graph = 7; GraphProto node = 1, initializer = 5, input = 11,
/// output = 12; NodeProto input = 1, output = 2, name = 3, op_type = 4, attribute = 5; TensorProto dims = 1, data_type
/// = 2, float_data = 4, int32_data = 5, int64_data = 7, name = 8, raw_data = 9).
/// </summary>
public sealed class OnnxModel
{
    /// <summary>Nodes in execution order.</summary>
    public required IReadOnlyList<OnnxNode> Nodes { get; init; }
    /// <summary>Initializers by name.</summary>
    public required IReadOnlyDictionary<string, OnnxTensor> Initializers { get; init; }
    /// <summary>Graph inputs that are not initializers.</summary>
    public required IReadOnlyList<OnnxValue> Inputs { get; init; }
    /// <summary>Graph outputs.</summary>
    public required IReadOnlyList<OnnxValue> Outputs { get; init; }
    /// <summary>Producer name written by the exporter (e.g. <c>CNTK</c>, <c>pytorch</c>).</summary>
    public string Producer { get; init; } = "";

    /// <summary>Reads an ONNX file; throws <see cref="InvalidDataException"/> naming the file when it is not a readable ONNX model.</summary>
    public static OnnxModel Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX model not found: {path}", path);
        try { return Parse(File.ReadAllBytes(path)); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path} is not a readable ONNX model: {e.Message}", e); }
    }

    /// <summary>Parses the bytes of an ONNX <c>ModelProto</c>.</summary>
    public static OnnxModel Parse(ReadOnlySpan<byte> bytes)
    {
        var r = new ProtoReader(bytes.ToArray(), 0, bytes.Length);
        byte[]? graph = null;
        string producer = "";
        while (r.More)
        {
            var (field, wire) = r.Tag();
            if (field == 7 && wire == 2) graph = r.Bytes();
            else if (field == 2 && wire == 2) producer = r.String();
            else r.Skip(wire);
        }
        if (graph == null) throw new InvalidDataException("no graph (ModelProto field 7)");
        return ParseGraph(graph, producer);
    }

    static OnnxModel ParseGraph(byte[] bytes, string producer)
    {
        var nodes = new List<OnnxNode>();
        var inits = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<OnnxValue>();
        var outputs = new List<OnnxValue>();
        var r = new ProtoReader(bytes, 0, bytes.Length);
        while (r.More)
        {
            var (field, wire) = r.Tag();
            switch (field, wire)
            {
                case (1, 2): nodes.Add(ParseNode(r.Sub())); break;
                case (5, 2): var t = ParseTensor(r.Sub()); inits[t.Name] = t; break;
                case (11, 2): inputs.Add(ParseValue(r.Sub())); break;
                case (12, 2): outputs.Add(ParseValue(r.Sub())); break;
                default: r.Skip(wire); break;
            }
        }
        if (nodes.Count == 0) throw new InvalidDataException("the graph has no nodes");
        return new OnnxModel
        {
            Nodes = nodes, Initializers = inits, Inputs = inputs.Where(i => !inits.ContainsKey(i.Name)).ToList(), Outputs = outputs, Producer = producer,
        };
    }

    static OnnxNode ParseNode(ProtoReader r)
    {
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attrs = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        string name = "", op = "";
        while (r.More)
        {
            var (field, wire) = r.Tag();
            switch (field, wire)
            {
                case (1, 2): inputs.Add(r.String()); break;
                case (2, 2): outputs.Add(r.String()); break;
                case (3, 2): name = r.String(); break;
                case (4, 2): op = r.String(); break;
                case (5, 2): var a = ParseAttribute(r.Sub()); attrs[a.Name] = a; break;
                default: r.Skip(wire); break;
            }
        }
        if (op.Length == 0) throw new InvalidDataException($"node '{name}' has no op_type");
        return new OnnxNode(name, op, inputs.ToArray(), outputs.ToArray(), attrs);
    }

    static OnnxAttribute ParseAttribute(ProtoReader r)
    {
        string name = "";
        float? f = null;
        long? i = null;
        string? s = null;
        OnnxTensor? t = null;
        var floats = new List<float>();
        var ints = new List<long>();
        while (r.More)
        {
            var (field, wire) = r.Tag();
            switch (field, wire)
            {
                case (1, 2): name = r.String(); break;
                case (2, 5): f = r.Float(); break;
                case (3, 0): i = r.Varint(); break;
                case (4, 2): s = r.String(); break;
                case (5, 2): t = ParseTensor(r.Sub()); break;
                case (7, 5): floats.Add(r.Float()); break;
                case (7, 2): r.PackedFloats(floats); break;
                case (8, 0): ints.Add(r.Varint()); break;
                case (8, 2): r.PackedVarints(ints); break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxAttribute(name, f, i, s, t, floats.ToArray(), ints.ToArray());
    }

    static OnnxTensor ParseTensor(ProtoReader r)
    {
        var dims = new List<long>();
        var floats = new List<float>();
        var longs = new List<long>();
        int type = 0;
        string name = "";
        byte[]? raw = null;
        while (r.More)
        {
            var (field, wire) = r.Tag();
            switch (field, wire)
            {
                case (1, 0): dims.Add(r.Varint()); break;
                case (1, 2): r.PackedVarints(dims); break;
                case (2, 0): type = (int)r.Varint(); break;
                case (4, 5): floats.Add(r.Float()); break;
                case (4, 2): r.PackedFloats(floats); break;
                case (5, 0) or (7, 0): longs.Add(r.Varint()); break;
                case (5, 2) or (7, 2): r.PackedVarints(longs); break;
                case (8, 2): name = r.String(); break;
                case (9, 2): raw = r.Bytes(); break;
                default: r.Skip(wire); break;
            }
        }
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (dims.Any(d => d < 0)) throw new InvalidDataException($"tensor '{name}' has a negative dimension");
        switch (type)
        {
            case 1:
                float[] fv = raw != null ? RawFloats(raw, name) : floats.ToArray();
                if (fv.Length != count) throw new InvalidDataException($"tensor '{name}': shape [{string.Join(", ", dims)}] holds {count} values; the file has {fv.Length}");
                return new OnnxTensor(name, type, dims.ToArray(), fv, null);
            case 6 or 7:
                long[] lv = raw != null ? RawIntegers(raw, type == 7 ? 8 : 4, name) : longs.ToArray();
                if (lv.Length != count) throw new InvalidDataException($"tensor '{name}': shape [{string.Join(", ", dims)}] holds {count} values; the file has {lv.Length}");
                return new OnnxTensor(name, type, dims.ToArray(), null, lv);
            default:
                throw new InvalidDataException($"tensor '{name}' has data type {type}; only float (1), int32 (6) and int64 (7) are read");
        }
    }

    static float[] RawFloats(byte[] raw, string name)
    {
        if (raw.Length % 4 != 0) throw new InvalidDataException($"tensor '{name}': raw_data of {raw.Length} bytes is not a whole number of floats");
        var v = new float[raw.Length / 4];
        for (int k = 0; k < v.Length; k++) v[k] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(4 * k));
        return v;
    }

    static long[] RawIntegers(byte[] raw, int width, string name)
    {
        if (raw.Length % width != 0) throw new InvalidDataException($"tensor '{name}': raw_data of {raw.Length} bytes is not a whole number of {width}-byte integers");
        var v = new long[raw.Length / width];
        for (int k = 0; k < v.Length; k++)
            v[k] = width == 8 ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(raw.AsSpan(8 * k))
                              : System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(raw.AsSpan(4 * k));
        return v;
    }

    // ValueInfoProto: name = 1, type = 2 -> TypeProto.tensor_type = 1 -> shape = 2 -> TensorShapeProto.dim = 1 -> dim_value = 1 | dim_param = 2.
    static OnnxValue ParseValue(ProtoReader r)
    {
        string name = "";
        var dims = new List<long>();
        while (r.More)
        {
            var (field, wire) = r.Tag();
            if (field == 1 && wire == 2) name = r.String();
            else if (field == 2 && wire == 2) Nested(r.Sub(), 1, t => Nested(t, 2, shape => Nested(shape, 1, dim =>
            {
                long value = -1;
                while (dim.More) { var (f, w) = dim.Tag(); if (f == 1 && w == 0) value = dim.Varint(); else dim.Skip(w); }
                dims.Add(value);
            })));
            else r.Skip(wire);
        }
        return new OnnxValue(name, dims.ToArray());
    }

    static void Nested(ProtoReader r, int field, Action<ProtoReader> each)
    {
        while (r.More)
        {
            var (f, w) = r.Tag();
            if (f == field && w == 2) each(r.Sub());
            else r.Skip(w);
        }
    }

    /// <summary>A forward-only reader of protobuf's wire format over a byte range.</summary>
    sealed class ProtoReader(byte[] data, int start, int end)
    {
        int _pos = start;

        public bool More => _pos < end;

        public (int Field, int Wire) Tag()
        {
            long tag = Varint();
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (field < 1) throw new InvalidDataException($"bad field number {field} at byte {_pos}");
            return (field, wire);
        }

        public long Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= end) throw new InvalidDataException("truncated varint");
                byte b = data[_pos++];
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return (long)value;
            }
            throw new InvalidDataException("varint longer than 10 bytes");
        }

        int Length()
        {
            long n = Varint();
            if (n < 0 || n > end - _pos) throw new InvalidDataException($"length {n} at byte {_pos} runs past the end of its message ({end - _pos} bytes left)");
            return (int)n;
        }

        public ProtoReader Sub()
        {
            int n = Length();
            var sub = new ProtoReader(data, _pos, _pos + n);
            _pos += n;
            return sub;
        }

        public byte[] Bytes()
        {
            int n = Length();
            var b = data.AsSpan(_pos, n).ToArray();
            _pos += n;
            return b;
        }

        public string String()
        {
            int n = Length();
            var s = Encoding.UTF8.GetString(data, _pos, n);
            _pos += n;
            return s;
        }

        public float Float()
        {
            if (end - _pos < 4) throw new InvalidDataException("truncated float");
            float v = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(_pos));
            _pos += 4;
            return v;
        }

        public void PackedFloats(List<float> into)
        {
            var sub = Sub();
            while (sub.More) into.Add(sub.Float());
        }

        public void PackedVarints(List<long> into)
        {
            var sub = Sub();
            while (sub.More) into.Add(sub.Varint());
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: Advance(8); break;
                case 2: Advance(Length()); break;
                case 5: Advance(4); break;
                default: throw new InvalidDataException($"unsupported wire type {wire} at byte {_pos}");
            }
        }

        void Advance(int n)
        {
            if (n > end - _pos) throw new InvalidDataException("truncated field");
            _pos += n;
        }
    }
}
