// Makes TorchSharp's native shim (libLibTorchSharp.so) load on hosts whose libstdc++
// predates GLIBCXX_3.4.32 (Debian 12, Ubuntu 22.04, ...). See shared/TORCHSHARP.md.
//
// The shim is built with GCC 13 and lists GLIBCXX_3.4.32 among its version needs, but
// the only symbol bound to that version is GCC 13's iostream marker
// `_ZSt21ios_base_library_initv`, which no relocation references. Marking that one
// version-need entry WEAK (VER_FLG_WEAK in vna_flags) lets the dynamic loader accept a
// libstdc++ without it. This file re-checks those facts on the actual file before
// touching it, and changes exactly one 16-bit field.
//
// The same source is compiled three ways: by MSBuild's RoslynCodeTaskFactory as the
// build task (build/TorchSharp.NativeFix.targets), into the library (so `attn info`
// can report the state of the loaded file) and into the tests. Outside MSBuild the
// symbol ATTN_NO_MSBUILD_TASK removes the task class.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace AttentionSharp.NativeFix
{
    /// <summary>What the fix found or did for one file.</summary>
    public enum FixOutcome
    {
        /// <summary>The host's libstdc++ already defines the version: nothing to do.</summary>
        HostHasVersion,
        /// <summary>The file does not need the version at all: nothing to do.</summary>
        NotNeeded,
        /// <summary>The need was already weak (the fix was applied before).</summary>
        AlreadyWeak,
        /// <summary>The need was made weak now.</summary>
        Applied,
        /// <summary>The file does not match the checked facts: it was left alone.</summary>
        Unsafe,
    }

    /// <summary>The result of inspecting or fixing a file, with a human-readable reason.</summary>
    public sealed class FixReport
    {
        /// <summary>Creates a report.</summary>
        public FixReport(FixOutcome outcome, string message) { Outcome = outcome; Message = message; }
        /// <summary>What happened.</summary>
        public FixOutcome Outcome { get; }
        /// <summary>Why, in one sentence.</summary>
        public string Message { get; }
        /// <inheritdoc />
        public override string ToString() => Outcome + ": " + Message;
    }

    /// <summary>Reads the version needs of an ELF64 little-endian shared object and weakens one of them.</summary>
    public static class GlibcxxWeakVersionFix
    {
        /// <summary>The version GCC 13 adds that older libstdc++ lacks.</summary>
        public const string Version = "GLIBCXX_3.4.32";
        /// <summary>The only symbol allowed to be bound to <see cref="Version"/>.</summary>
        public const string MarkerSymbol = "_ZSt21ios_base_library_initv";
        /// <summary>VER_FLG_WEAK from elf.h.</summary>
        public const ushort VerFlgWeak = 0x2;

        const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11;
        const uint ShtGnuVerdef = 0x6ffffffd, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;

        /// <summary>One section header of interest.</summary>
        sealed class Section
        {
            public uint Type; public long Offset; public long Size; public uint Link; public long EntSize; public uint Info;
        }

        /// <summary>A version-need auxiliary entry: where its flags live and what it names.</summary>
        public sealed class VersionNeed
        {
            /// <summary>Creates an entry.</summary>
            public VersionNeed(string library, string name, ushort flags, ushort index, long flagsOffset)
            { Library = library; Name = name; Flags = flags; Index = index; FlagsOffset = flagsOffset; }
            /// <summary>The library that must provide the version (e.g. libstdc++.so.6).</summary>
            public string Library { get; }
            /// <summary>The version name (e.g. GLIBCXX_3.4.32).</summary>
            public string Name { get; }
            /// <summary>vna_flags.</summary>
            public ushort Flags { get; }
            /// <summary>vna_other: the index symbols use in .gnu.version.</summary>
            public ushort Index { get; }
            /// <summary>File offset of the vna_flags field.</summary>
            public long FlagsOffset { get; }
        }

        static ushort U16(byte[] b, long o) => (ushort)(b[o] | b[o + 1] << 8);
        static uint U32(byte[] b, long o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
        static long U64(byte[] b, long o) => (long)(U32(b, o) | (ulong)U32(b, o + 4) << 32);

        static string CStr(byte[] b, long o)
        {
            if (o < 0 || o >= b.Length) throw new InvalidDataException("string offset " + o + " is outside the file");
            long end = o;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }

        static List<Section> ReadSections(byte[] b, string path)
        {
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F')
                throw new InvalidDataException(path + " is not an ELF file");
            if (b[4] != 2 || b[5] != 1)
                throw new InvalidDataException(path + " is not a 64-bit little-endian ELF file (class " + b[4] + ", data " + b[5] + ")");
            long shoff = U64(b, 0x28);
            int shentsize = U16(b, 0x3A), shnum = U16(b, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shentsize * shnum > b.Length)
                throw new InvalidDataException(path + " has no readable section header table");
            var list = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                var s = new Section
                {
                    Type = U32(b, h + 4), Offset = U64(b, h + 0x18), Size = U64(b, h + 0x20),
                    Link = U32(b, h + 0x28), Info = U32(b, h + 0x2C), EntSize = U64(b, h + 0x38),
                };
                if (s.Type != 8 /* NOBITS */ && (s.Offset < 0 || s.Size < 0 || s.Offset + s.Size > b.Length))
                    throw new InvalidDataException(path + ": section " + i + " lies outside the file");
                list.Add(s);
            }
            return list;
        }

        /// <summary>Lists the version needs (.gnu.version_r) of an ELF64 LE file.</summary>
        public static IReadOnlyList<VersionNeed> ReadVersionNeeds(byte[] b, string path = "file")
        {
            var sections = ReadSections(b, path);
            var result = new List<VersionNeed>();
            foreach (var s in sections.Where(x => x.Type == ShtGnuVerneed))
            {
                var strtab = sections[(int)s.Link];
                long vn = s.Offset;
                for (int guard = 0; guard < 4096; guard++)
                {
                    ushort cnt = U16(b, vn + 2);
                    string file = CStr(b, strtab.Offset + U32(b, vn + 4));
                    long aux = vn + U32(b, vn + 8);
                    for (int j = 0; j < cnt; j++)
                    {
                        result.Add(new VersionNeed(file, CStr(b, strtab.Offset + U32(b, aux + 8)),
                            U16(b, aux + 4), U16(b, aux + 6), aux + 4));
                        uint nextAux = U32(b, aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = U32(b, vn + 12);
                    if (next == 0) break;
                    vn += next;
                }
            }
            return result;
        }

        /// <summary>Lists the version definitions (.gnu.version_d) of an ELF64 LE file, e.g. a libstdc++.</summary>
        public static IReadOnlyList<string> ReadVersionDefinitions(byte[] b, string path = "file")
        {
            var sections = ReadSections(b, path);
            var names = new List<string>();
            foreach (var s in sections.Where(x => x.Type == ShtGnuVerdef))
            {
                var strtab = sections[(int)s.Link];
                long vd = s.Offset;
                for (int guard = 0; guard < 4096; guard++)
                {
                    long aux = vd + U32(b, vd + 12);
                    names.Add(CStr(b, strtab.Offset + U32(b, aux)));
                    uint next = U32(b, vd + 16);
                    if (next == 0) break;
                    vd += next;
                }
            }
            return names;
        }

        /// <summary>Checks the facts that make the fix safe; returns null when safe, else why not.</summary>
        static string? WhyUnsafe(byte[] b, List<Section> sections, ushort versionIndex)
        {
            var versym = sections.FirstOrDefault(x => x.Type == ShtGnuVersym);
            var dynsym = sections.FirstOrDefault(x => x.Type == ShtDynsym);
            if (versym == null || dynsym == null) return "the file has no .gnu.version or .dynsym section";
            var dynstr = sections[(int)dynsym.Link];
            long nsym = dynsym.Size / 24;
            if (versym.Size / 2 != nsym) return ".gnu.version and .dynsym disagree on the symbol count";
            var bound = new List<long>();
            for (long i = 0; i < nsym; i++)
                if ((U16(b, versym.Offset + 2 * i) & 0x7fff) == versionIndex) bound.Add(i);
            if (bound.Count == 0) return "no symbol is bound to " + Version + " (unexpected layout)";
            foreach (long i in bound)
            {
                string name = CStr(b, dynstr.Offset + U32(b, dynsym.Offset + 24 * i));
                if (name != MarkerSymbol)
                    return "symbol '" + name + "' is bound to " + Version + "; only " + MarkerSymbol + " may be";
            }
            var boundSet = new HashSet<long>(bound);
            int dynsymIndex = sections.IndexOf(dynsym);
            foreach (var r in sections.Where(x => (x.Type == ShtRela || x.Type == ShtRel) && x.Link == dynsymIndex))
            {
                long ent = r.Type == ShtRela ? 24 : 16;
                for (long o = r.Offset; o + ent <= r.Offset + r.Size; o += ent)
                {
                    long sym = (long)((ulong)U64(b, o + 8) >> 32);
                    if (boundSet.Contains(sym))
                        return "a relocation references " + MarkerSymbol + ", so the loader would look it up";
                }
            }
            return null;
        }

        /// <summary>Whether the host's libstdc++ defines <see cref="Version"/>; null when no libstdc++ was found.</summary>
        public static bool? HostHasVersion(IEnumerable<string>? candidates = null)
        {
            foreach (var path in candidates ?? HostLibStdCxxCandidates())
            {
                if (!File.Exists(path)) continue;
                try { return ReadVersionDefinitions(File.ReadAllBytes(path), path).Contains(Version); }
                catch (InvalidDataException) { }
            }
            return null;
        }

        /// <summary>Where the dynamic loader would find libstdc++.so.6 on common Linux layouts.</summary>
        public static IEnumerable<string> HostLibStdCxxCandidates()
        {
            var dirs = new List<string>();
            var ld = Environment.GetEnvironmentVariable("LD_LIBRARY_PATH");
            if (!string.IsNullOrEmpty(ld)) dirs.AddRange(ld.Split(':').Where(d => d.Length > 0));
            dirs.AddRange(new[]
            {
                "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            });
            return dirs.Select(d => Path.Combine(d, "libstdc++.so.6"));
        }

        /// <summary>Inspects a file without changing it: what <see cref="Apply"/> would do.</summary>
        public static FixReport Inspect(string path, bool? hostHasVersion) => Run(path, hostHasVersion, write: false);

        /// <summary>Applies the fix to <paramref name="path"/> when needed and safe.</summary>
        public static FixReport Apply(string path, bool? hostHasVersion) => Run(path, hostHasVersion, write: true);

        static FixReport Run(string path, bool? hostHasVersion, bool write)
        {
            byte[] b = File.ReadAllBytes(path);
            var sections = ReadSections(b, path);
            var need = ReadVersionNeeds(b, path).FirstOrDefault(n => n.Name == Version);
            if (need == null)
                return new FixReport(FixOutcome.NotNeeded, Path.GetFileName(path) + " does not need " + Version);
            if ((need.Flags & VerFlgWeak) != 0)
                return new FixReport(FixOutcome.AlreadyWeak, "the " + Version + " need of " + Path.GetFileName(path) + " is already weak");
            if (hostHasVersion == true)
                return new FixReport(FixOutcome.HostHasVersion, "the host libstdc++ defines " + Version + "; no change needed");
            string? why = WhyUnsafe(b, sections, need.Index);
            if (why != null)
                return new FixReport(FixOutcome.Unsafe, "left " + path + " unchanged: " + why +
                    ". TorchSharp will not load on this host (its libstdc++ lacks " + Version +
                    "); install a libstdc++ from GCC 13 or newer");
            if (write)
            {
                using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                ushort flags = (ushort)(need.Flags | VerFlgWeak);
                f.Position = need.FlagsOffset;
                f.Write(new[] { (byte)(flags & 0xff), (byte)(flags >> 8) }, 0, 2);
                f.Flush(true);
            }
            return new FixReport(FixOutcome.Applied, (write ? "marked" : "would mark") + " the " + Version + " need of " +
                Path.GetFileName(path) + " weak (only " + MarkerSymbol + " is bound to it, never relocated)");
        }
    }

#if !ATTN_NO_MSBUILD_TASK
    /// <summary>MSBuild task: applies <see cref="GlibcxxWeakVersionFix"/> to the output copy of libLibTorchSharp.so.</summary>
    public sealed class ApplyGlibcxxWeakVersionFix : Microsoft.Build.Utilities.Task
    {
        /// <summary>The files to fix (output copies, never the NuGet cache).</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            bool? host = GlibcxxWeakVersionFix.HostHasVersion();
            if (host == null)
                Log.LogWarning("AttentionSharp native fix: no libstdc++.so.6 found in the usual places; assuming it lacks " +
                               GlibcxxWeakVersionFix.Version + ".");
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                if (!File.Exists(path)) continue;
                FixReport r;
                try { r = GlibcxxWeakVersionFix.Apply(path, host); }
                catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                {
                    Log.LogError("AttentionSharp native fix: cannot read " + path + ": " + e.Message);
                    return false;
                }
                if (r.Outcome == FixOutcome.Unsafe)
                {
                    Log.LogError("AttentionSharp native fix: " + r.Message +
                                 ". Set AttnSkipNativeFix=true to build anyway.");
                    return false;
                }
                var importance = r.Outcome == FixOutcome.Applied
                    ? Microsoft.Build.Framework.MessageImportance.High
                    : Microsoft.Build.Framework.MessageImportance.Low;
                Log.LogMessage(importance, "AttentionSharp native fix: " + r.Message);
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
