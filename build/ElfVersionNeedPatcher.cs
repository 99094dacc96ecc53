#nullable enable
// Marks one symbol-version requirement of an ELF shared object as weak.
// Why: TorchSharp 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) only for
// std::ios_base_library_init(), a link-time marker that is never called. Debian 12's
// libstdc++ stops at 3.4.30, so the loader refuses the library. A weak version need
// (VER_FLG_WEAK) lets it load. See ../shared/design/TOOLCHAIN.md.
using System;
using System.IO;
using System.Text;

namespace Ahwa.Build;

public enum ElfPatchOutcome { Patched, AlreadyWeak, VersionNotNeeded }

public static class ElfVersionNeedPatcher
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlagWeak = 0x2;

    /// <summary>True when the system's libstdc++ already provides the version, so no patch is needed.</summary>
    public static bool SystemLibStdCxxHasVersion(string version, out string? libraryPath)
    {
        string[] candidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/lib64/libstdc++.so.6",
        };
        foreach (var path in candidates)
        {
            if (!File.Exists(path)) continue;
            libraryPath = path;
            return IndexOf(File.ReadAllBytes(path), Encoding.ASCII.GetBytes(version + "\0")) >= 0;
        }
        libraryPath = null;
        return false;
    }

    /// <summary>Sets VER_FLG_WEAK on the named version need. Rewrites the file via a temporary copy
    /// so a hard link into a package cache is never modified in place.</summary>
    public static ElfPatchOutcome MakeVersionNeedWeak(string path, string version)
    {
        var bytes = File.ReadAllBytes(path);
        var outcome = PatchInMemory(bytes, version, path);
        if (outcome != ElfPatchOutcome.Patched) return outcome;
        var temporary = path + ".ahwa-patch.tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Copy(temporary, path, overwrite: true);
        File.Delete(temporary);
        return outcome;
    }

    public static ElfPatchOutcome PatchInMemory(byte[] elf, string version, string nameForErrors)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"'{nameForErrors}' is not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"'{nameForErrors}' is not a little-endian ELF64 file (class {elf[4]}, data {elf[5]}).");

        long sectionTable = (long)U64(elf, 0x28);
        int entrySize = U16(elf, 0x3A), count = U16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            long header = sectionTable + (long)i * entrySize;
            if (U32(elf, header + 4) != ShtGnuVerneed) continue;
            long offset = (long)U64(elf, header + 0x18);
            uint link = U32(elf, header + 0x28), needCount = U32(elf, header + 0x2C);
            long strings = (long)U64(elf, sectionTable + (long)link * entrySize + 0x18);

            long need = offset;
            for (uint n = 0; n < needCount; n++)
            {
                int auxCount = U16(elf, need + 2);
                long aux = need + U32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    if (ReadCString(elf, strings + U32(elf, aux + 8)) == version)
                    {
                        ushort flags = U16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0) return ElfPatchOutcome.AlreadyWeak;
                        flags |= VerFlagWeak;
                        elf[aux + 4] = (byte)flags;
                        elf[aux + 5] = (byte)(flags >> 8);
                        return ElfPatchOutcome.Patched;
                    }
                    aux += U32(elf, aux + 12);
                }
                need += U32(elf, need + 12);
            }
        }
        return ElfPatchOutcome.VersionNotNeeded;
    }

    static ushort U16(byte[] b, long o) => (ushort)(b[o] | b[o + 1] << 8);
    static uint U32(byte[] b, long o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
    static ulong U64(byte[] b, long o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;

    static string ReadCString(byte[] b, long o)
    {
        long end = o;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return i;
        }
        return -1;
    }
}

#if !AHWA_NO_MSBUILD
/// <summary>MSBuild task: patches the output copies of libLibTorchSharp.so when the system needs it.</summary>
public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required] public string[] Files { get; set; } = Array.Empty<string>();
    public string Version { get; set; } = "GLIBCXX_3.4.32";

    public override bool Execute()
    {
        if (ElfVersionNeedPatcher.SystemLibStdCxxHasVersion(Version, out var lib))
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"Ahwa: {lib} provides {Version}; libLibTorchSharp.so left unchanged.");
            return true;
        }
        foreach (var file in Files)
        {
            if (!File.Exists(file)) continue;
            var outcome = ElfVersionNeedPatcher.MakeVersionNeedWeak(file, Version);
            if (outcome == ElfPatchOutcome.Patched)
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    $"Ahwa: system libstdc++ ({lib ?? "not found"}) lacks {Version}; marked that need weak in {file} (output copy only).");
        }
        return true;
    }
}
#endif
