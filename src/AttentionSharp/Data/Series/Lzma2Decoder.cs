namespace AttentionSharp.Data.Series;

/// <summary>
/// Decoder of a raw LZMA2 stream (no .xz container), the form R's lazy-load databases use for objects compressed with
/// <c>compress = 3</c> (xz): a sequence of chunks, each an uncompressed copy or an LZMA-coded block with its own range coder,
/// ended by a 0 byte. Written from the LZMA specification (Igor Pavlov, <c>lzma-specification.txt</c>) and the LZMA2 chunk
/// layout of xz's file-format notes. The whole output is kept in memory, so the output buffer is the dictionary.
/// </summary>
public static class Lzma2Decoder
{
    /// <summary>Decodes <paramref name="input"/>[<paramref name="offset"/>..] into exactly <paramref name="outputLength"/> bytes.</summary>
    public static byte[] Decode(byte[] input, int offset, int outputLength)
    {
        try { return DecodeUnchecked(input, offset, outputLength); }
        catch (IndexOutOfRangeException) { throw new InvalidDataException("LZMA2 stream is truncated or corrupt (it reads past its end)"); }
        catch (ArgumentException e) { throw new InvalidDataException($"LZMA2 stream is truncated or corrupt ({e.Message})"); }
    }

    /// <summary>
    /// The output size the chunk headers declare, read by walking the headers alone: the announced length is trusted only
    /// when the chunks add up to it, so a corrupt length never sizes an allocation by itself.
    /// </summary>
    static long DeclaredLength(byte[] input, int offset)
    {
        long total = 0;
        int ip = offset;
        while (true)
        {
            if (ip >= input.Length) throw new InvalidDataException("LZMA2 stream is truncated: it ends without its end marker");
            int control = input[ip++];
            if (control == 0) return total;
            if (ip + 2 > input.Length) throw new InvalidDataException("LZMA2 stream is truncated inside a chunk header");
            if (control is 1 or 2)
            {
                int size = ((input[ip] << 8) | input[ip + 1]) + 1;
                total += size;
                ip += 2 + size;
                continue;
            }
            if (control < 0x80) throw new InvalidDataException($"LZMA2 stream: invalid chunk control byte 0x{control:x2}");
            if (ip + 4 > input.Length) throw new InvalidDataException("LZMA2 stream is truncated inside a chunk header");
            total += ((control & 0x1F) << 16) + (input[ip] << 8) + input[ip + 1] + 1;
            int packed = (input[ip + 2] << 8) + input[ip + 3] + 1;
            ip += 4 + (((control >> 5) & 3) >= 2 ? 1 : 0) + packed;
        }
    }

    static byte[] DecodeUnchecked(byte[] input, int offset, int outputLength)
    {
        if (outputLength < 0) throw new InvalidDataException($"LZMA2 stream: negative output length {outputLength}");
        long declared = DeclaredLength(input, offset);
        if (declared != outputLength) throw new InvalidDataException($"LZMA2 stream: its chunks hold {declared} bytes, but {outputLength} are announced");
        var output = new byte[outputLength];
        var lzma = new LzmaState(output);
        int ip = offset, op = 0;
        bool needProps = true, needDictReset = true;
        while (true)
        {
            if (ip >= input.Length) throw new InvalidDataException("LZMA2 stream is truncated: it ends without its end marker");
            int control = input[ip++];
            if (control == 0) break;
            if (control is 1 or 2)
            {
                if (control == 1) { lzma.DictStart = op; needDictReset = false; }
                else if (needDictReset) throw new InvalidDataException("LZMA2 stream: the first chunk does not reset the dictionary");
                int size = ((input[ip] << 8) | input[ip + 1]) + 1;
                ip += 2;
                if (op + size > outputLength) throw new InvalidDataException($"LZMA2 stream holds more than the {outputLength} bytes announced");
                Buffer.BlockCopy(input, ip, output, op, size);
                ip += size; op += size;
                continue;
            }
            if (control < 0x80) throw new InvalidDataException($"LZMA2 stream: invalid chunk control byte 0x{control:x2}");
            int unpacked = ((control & 0x1F) << 16) + (input[ip] << 8) + input[ip + 1] + 1;
            int packed = (input[ip + 2] << 8) + input[ip + 3] + 1;
            ip += 4;
            int reset = (control >> 5) & 3;
            if (reset == 3) { lzma.DictStart = op; needDictReset = false; }
            else if (needDictReset) throw new InvalidDataException("LZMA2 stream: the first chunk does not reset the dictionary");
            if (reset >= 2)
            {
                int props = input[ip++];
                if (props >= 9 * 5 * 5) throw new InvalidDataException($"LZMA2 stream: invalid properties byte {props}");
                lzma.SetProperties(props % 9, props / 9 % 5, props / 45);
                needProps = false;
            }
            else if (needProps) throw new InvalidDataException("LZMA2 stream: an LZMA chunk comes before any properties");
            if (reset >= 1) lzma.Reset();
            if (op + unpacked > outputLength) throw new InvalidDataException($"LZMA2 stream holds more than the {outputLength} bytes announced");
            var range = new RangeDecoder(input, ip);
            op = lzma.DecodeChunk(ref range, op, op + unpacked);
            ip += packed;
        }
        if (op != outputLength) throw new InvalidDataException($"LZMA2 stream decoded to {op} bytes, expected {outputLength}");
        return output;
    }

    struct RangeDecoder
    {
        readonly byte[] _in;
        int _pos;
        uint _range, _code;

        public RangeDecoder(byte[] input, int pos)
        {
            _in = input;
            if (input[pos] != 0) throw new InvalidDataException("LZMA2 stream: a range-coded chunk does not start with 0");
            _pos = pos + 1;
            _range = 0xFFFFFFFF;
            _code = 0;
            for (int i = 0; i < 4; i++) _code = (_code << 8) | input[_pos++];
        }

        void Normalize()
        {
            if (_range < 1u << 24)
            {
                _range <<= 8;
                _code = (_code << 8) | _in[_pos++];
            }
        }

        public int Bit(ref ushort prob)
        {
            uint bound = (_range >> 11) * prob;
            int bit;
            if (_code < bound)
            {
                _range = bound;
                prob += (ushort)((2048 - prob) >> 5);
                bit = 0;
            }
            else
            {
                _range -= bound;
                _code -= bound;
                prob -= (ushort)(prob >> 5);
                bit = 1;
            }
            Normalize();
            return bit;
        }

        public uint Direct(int count)
        {
            uint result = 0;
            for (int i = 0; i < count; i++)
            {
                _range >>= 1;
                uint bit = _code >= _range ? 1u : 0u;
                if (bit == 1) _code -= _range;
                result = (result << 1) | bit;
                Normalize();
            }
            return result;
        }

        public int Tree(ushort[] probs, int start, int bits)
        {
            int m = 1;
            for (int i = 0; i < bits; i++) m = (m << 1) + Bit(ref probs[start + m]);
            return m - (1 << bits);
        }

        public int ReverseTree(ushort[] probs, int start, int bits)
        {
            int m = 1, symbol = 0;
            for (int i = 0; i < bits; i++)
            {
                int bit = Bit(ref probs[start + m]);
                m = (m << 1) + bit;
                symbol |= bit << i;
            }
            return symbol;
        }
    }

    sealed class LengthDecoder
    {
        ushort _choice, _choice2;
        readonly ushort[] _low = new ushort[16 << 3], _mid = new ushort[16 << 3], _high = new ushort[256];

        public void Reset()
        {
            _choice = _choice2 = 1024;
            Array.Fill(_low, (ushort)1024); Array.Fill(_mid, (ushort)1024); Array.Fill(_high, (ushort)1024);
        }

        public int Decode(ref RangeDecoder rc, int posState)
        {
            if (rc.Bit(ref _choice) == 0) return rc.Tree(_low, posState << 3, 3);
            if (rc.Bit(ref _choice2) == 0) return 8 + rc.Tree(_mid, posState << 3, 3);
            return 16 + rc.Tree(_high, 0, 8);
        }
    }

    sealed class LzmaState(byte[] output)
    {
        const int States = 12, EndPosModelIndex = 14, FullDistances = 128, AlignBits = 4;
        readonly byte[] _out = output;
        int _lc, _lp, _pb;
        ushort[] _literal = [];
        readonly ushort[] _isMatch = new ushort[States << 4], _isRep = new ushort[States], _isRepG0 = new ushort[States],
            _isRepG1 = new ushort[States], _isRepG2 = new ushort[States], _isRep0Long = new ushort[States << 4],
            _posSlot = new ushort[4 << 6], _posSpecial = new ushort[1 + FullDistances - EndPosModelIndex], _align = new ushort[1 << AlignBits];
        readonly LengthDecoder _len = new(), _repLen = new();
        int _state;
        uint _rep0, _rep1, _rep2, _rep3;

        public int DictStart { get; set; }

        public void SetProperties(int lc, int lp, int pb)
        {
            if (lc + lp > 4) throw new InvalidDataException($"LZMA2 stream: lc {lc} + lp {lp} exceeds 4");
            (_lc, _lp, _pb) = (lc, lp, pb);
            _literal = new ushort[0x300 << (lc + lp)];
        }

        public void Reset()
        {
            Array.Fill(_literal, (ushort)1024);
            foreach (var p in new[] { _isMatch, _isRep, _isRepG0, _isRepG1, _isRepG2, _isRep0Long, _posSlot, _posSpecial, _align }) Array.Fill(p, (ushort)1024);
            _len.Reset(); _repLen.Reset();
            _state = 0;
            _rep0 = _rep1 = _rep2 = _rep3 = 0;
        }

        byte Back(int pos, uint distance)
        {
            long from = pos - (long)distance - 1;
            if (from < DictStart) throw new InvalidDataException("LZMA2 stream: a match reaches before the start of the dictionary");
            return _out[from];
        }

        /// <summary>Decodes output bytes [<paramref name="pos"/>, <paramref name="end"/>); returns the new position.</summary>
        public int DecodeChunk(ref RangeDecoder rc, int pos, int end)
        {
            int pbMask = (1 << _pb) - 1, lpMask = (1 << _lp) - 1;
            while (pos < end)
            {
                int rel = pos - DictStart;
                int posState = rel & pbMask;
                if (rc.Bit(ref _isMatch[(_state << 4) + posState]) == 0)
                {
                    int prev = rel > 0 ? _out[pos - 1] : 0;
                    int litBase = 0x300 * (((rel & lpMask) << _lc) + (prev >> (8 - _lc)));
                    int symbol = 1;
                    if (_state >= 7)
                    {
                        int matchByte = Back(pos, _rep0);
                        do
                        {
                            int matchBit = (matchByte >> 7) & 1;
                            matchByte <<= 1;
                            int bit = rc.Bit(ref _literal[litBase + ((1 + matchBit) << 8) + symbol]);
                            symbol = (symbol << 1) | bit;
                            if (matchBit != bit) break;
                        } while (symbol < 0x100);
                    }
                    while (symbol < 0x100) symbol = (symbol << 1) | rc.Bit(ref _literal[litBase + symbol]);
                    _out[pos++] = (byte)symbol;
                    _state = _state < 4 ? 0 : _state < 10 ? _state - 3 : _state - 6;
                    continue;
                }
                int length;
                if (rc.Bit(ref _isRep[_state]) == 0)
                {
                    (_rep3, _rep2, _rep1) = (_rep2, _rep1, _rep0);
                    length = _len.Decode(ref rc, posState);
                    _state = _state < 7 ? 7 : 10;
                    _rep0 = DecodeDistance(ref rc, length);
                    if (_rep0 == 0xFFFFFFFF) throw new InvalidDataException("LZMA2 stream: an end marker inside a chunk");
                }
                else
                {
                    if (rel == 0) throw new InvalidDataException("LZMA2 stream: a repeated match at the start of the dictionary");
                    if (rc.Bit(ref _isRepG0[_state]) == 0)
                    {
                        if (rc.Bit(ref _isRep0Long[(_state << 4) + posState]) == 0)
                        {
                            _state = _state < 7 ? 9 : 11;
                            _out[pos] = Back(pos, _rep0);
                            pos++;
                            continue;
                        }
                    }
                    else
                    {
                        uint dist;
                        if (rc.Bit(ref _isRepG1[_state]) == 0) dist = _rep1;
                        else
                        {
                            if (rc.Bit(ref _isRepG2[_state]) == 0) dist = _rep2;
                            else { dist = _rep3; _rep3 = _rep2; }
                            _rep2 = _rep1;
                        }
                        _rep1 = _rep0;
                        _rep0 = dist;
                    }
                    length = _repLen.Decode(ref rc, posState);
                    _state = _state < 7 ? 8 : 11;
                }
                length += 2;
                if (pos + length > end) throw new InvalidDataException("LZMA2 stream: a match runs past the end of its chunk");
                for (int i = 0; i < length; i++, pos++) _out[pos] = Back(pos, _rep0);
            }
            return pos;
        }

        uint DecodeDistance(ref RangeDecoder rc, int length)
        {
            int lenState = Math.Min(length, 3);
            int slot = rc.Tree(_posSlot, lenState << 6, 6);
            if (slot < 4) return (uint)slot;
            int directBits = (slot >> 1) - 1;
            uint dist = (uint)((2 | (slot & 1)) << directBits);
            if (slot < EndPosModelIndex) return dist + (uint)rc.ReverseTree(_posSpecial, (int)dist - slot, directBits);
            dist += rc.Direct(directBits - AlignBits) << AlignBits;
            return dist + (uint)rc.ReverseTree(_align, 0, AlignBits);
        }
    }
}
