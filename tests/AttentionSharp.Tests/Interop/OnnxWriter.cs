using System.Text;

namespace AttentionSharp.Tests.Interop;

/// <summary>
/// Writes small ONNX models (protobuf wire format, onnx.proto field numbers) for the tests, so that the reader and the
/// interpreter are checked on files whose every value the test chose; no ONNX tooling is needed.
/// </summary>
sealed class OnnxWriter
{
    readonly List<byte[]> _nodes = [];
    readonly List<byte[]> _inits = [];
    readonly List<byte[]> _inputs = [];
    readonly List<byte[]> _outputs = [];

    public OnnxWriter Node(string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var m = new Message();
        foreach (var i in inputs) m.String(1, i);
        foreach (var o in outputs) m.String(2, o);
        m.String(3, op + "_" + _nodes.Count);
        m.String(4, op);
        foreach (var (name, value) in attributes) m.Bytes(5, Attribute(name, value));
        _nodes.Add(m.ToArray());
        return this;
    }

    /// <summary>A float initializer, as packed float_data or (<paramref name="raw"/>) little-endian raw_data.</summary>
    public OnnxWriter Init(string name, long[] dims, float[] values, bool raw = false)
    {
        var m = new Message();
        foreach (var d in dims) m.Varint(1, d);
        m.Varint(2, 1);
        if (raw)
        {
            var bytes = new byte[4 * values.Length];
            for (int k = 0; k < values.Length; k++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * k), values[k]);
            m.Bytes(9, bytes);
        }
        else m.Bytes(4, Packed(values));
        m.String(8, name);
        _inits.Add(m.ToArray());
        return this;
    }

    public OnnxWriter Input(string name, params long[] dims) { _inputs.Add(ValueInfo(name, dims)); return this; }
    public OnnxWriter Output(string name, params long[] dims) { _outputs.Add(ValueInfo(name, dims)); return this; }

    public byte[] ToArray()
    {
        var graph = new Message();
        foreach (var n in _nodes) graph.Bytes(1, n);
        foreach (var i in _inits) graph.Bytes(5, i);
        foreach (var i in _inputs) graph.Bytes(11, i);
        foreach (var o in _outputs) graph.Bytes(12, o);
        var model = new Message();
        model.Varint(1, 7);              // ir_version
        model.String(2, "attentionsharp-tests");
        model.Bytes(7, graph.ToArray());
        return model.ToArray();
    }

    public string Save(string path) { File.WriteAllBytes(path, ToArray()); return path; }

    static byte[] Attribute(string name, object value)
    {
        var m = new Message();
        m.String(1, name);
        switch (value)
        {
            case float f: m.Fixed32(2, f); m.Varint(20, 1); break;
            case long i: m.Varint(3, i); m.Varint(20, 2); break;
            case int i: m.Varint(3, i); m.Varint(20, 2); break;
            case string s: m.String(4, s); m.Varint(20, 3); break;
            case long[] ints:
                var p = new Message();
                foreach (var i in ints) p.RawVarint(i);
                m.Bytes(8, p.ToArray()); m.Varint(20, 7); break;
            default: throw new ArgumentException($"attribute type {value.GetType()}");
        }
        return m.ToArray();
    }

    static byte[] ValueInfo(string name, long[] dims)
    {
        var shape = new Message();
        foreach (var d in dims) { var dim = new Message(); dim.Varint(1, d); shape.Bytes(1, dim.ToArray()); }
        var tensorType = new Message();
        tensorType.Varint(1, 1);
        tensorType.Bytes(2, shape.ToArray());
        var type = new Message();
        type.Bytes(1, tensorType.ToArray());
        var m = new Message();
        m.String(1, name);
        m.Bytes(2, type.ToArray());
        return m.ToArray();
    }

    static byte[] Packed(float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int k = 0; k < values.Length; k++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * k), values[k]);
        return bytes;
    }

    sealed class Message
    {
        readonly MemoryStream _s = new();
        public void RawVarint(long v)
        {
            ulong u = (ulong)v;
            while (u >= 0x80) { _s.WriteByte((byte)(u | 0x80)); u >>= 7; }
            _s.WriteByte((byte)u);
        }
        void Tag(int field, int wire) => RawVarint((field << 3) | wire);
        public void Varint(int field, long v) { Tag(field, 0); RawVarint(v); }
        public void Fixed32(int field, float f) { Tag(field, 5); _s.Write(BitConverter.GetBytes(f)); }
        public void Bytes(int field, byte[] b) { Tag(field, 2); RawVarint(b.Length); _s.Write(b); }
        public void String(int field, string s) => Bytes(field, Encoding.UTF8.GetBytes(s));
        public byte[] ToArray() => _s.ToArray();
    }
}
