using System.Collections.Generic;
using Ahwa.Hardware;

namespace Ahwa.Codegen;

/// <summary>
/// Fills the kernel templates (C/Files/ahwa_kernel*.in) with one kernel plan: names, dimensions, exact constants
/// and the L1 layout. Per-shape variation (no adapter, a token block of one) is preprocessor code in the
/// templates, so this formats the plan and computes nothing.
/// </summary>
public static class KernelEmitter
{
    public static string HeaderName(KernelLayer k) => k.Symbol + ".h";
    public static string SourceName(KernelLayer k) => k.Symbol + ".c";
    public static string NaiveSourceName(KernelLayer k) => k.Symbol + "_naive.c";

    public static string Header(KernelLayer k) => CTemplate.Fill(CFiles.Read(CFiles.KernelHeaderTemplate), Values(k));

    /// <summary>The FP32 scalar kernel, or the matrix-engine kernel when the plan says so.</summary>
    public static string Source(KernelLayer k) =>
        CTemplate.Fill(CFiles.Read(k.MatrixEngine ? CFiles.EngineSourceTemplate : CFiles.KernelSourceTemplate), Values(k));

    /// <summary>The naive baseline: plain loops over main memory, converting on every use.</summary>
    public static string NaiveSource(KernelLayer k) =>
        CTemplate.Fill(CFiles.Read(k.MatrixEngine ? CFiles.EngineNaiveSourceTemplate : CFiles.NaiveSourceTemplate), Values(k));

    static Dictionary<string, string> Values(KernelLayer k)
    {
        string prefix = k.Symbol.ToUpperInvariant();
        var layout = new IndentedWriter();
        foreach (var b in k.Buffers)
            layout.Line($"#define {prefix}_L1_{b.Name.ToUpperInvariant()} {CLiterals.Int(b.Offset)} /* {CLiterals.Int(b.Bytes)} bytes */");
        return new Dictionary<string, string>
        {
            ["symbol"] = k.Symbol,
            ["SYMBOL"] = prefix,
            ["layer"] = k.LayerName,
            ["in"] = CLiterals.Int(k.InFeatures),
            ["out"] = CLiterals.Int(k.OutFeatures),
            ["rank"] = CLiterals.Int(k.Rank),
            ["blocks"] = CLiterals.Int(k.InputBlocks),
            ["token_tile"] = CLiterals.Int(k.TokenTile),
            ["token_block"] = CLiterals.Int(k.TokenBlock),
            ["cores"] = CLiterals.Int(k.Cores),
            ["l1_used"] = CLiterals.Int(k.L1Used),
            ["adc_step"] = CLiterals.Float(k.AdcStep),
            ["lora_scale"] = CLiterals.Float(k.LoraScale),
            // Without its last newline: the template's line ends the last define.
            ["l1_layout"] = layout.ToString().TrimEnd('\n'),
        };
    }
}
