using System.Collections.Generic;

namespace MiniLmSentiment;

/// <summary>One of the paper's figures for a method at a drift time (its metric in %).</summary>
public sealed record PaperPoint(string Method, string Time, double Value);

/// <summary>
/// The paper's published results (arXiv 2411.17367, as read into shared/design/HARDWARE-MODEL.md), shown beside Ahwa's
/// where the paper has a figure for the task: SQuAD v1.1 on MobileBERT (F1). Its per-task GLUE scores are not among
/// those figures; its multi-task count (eight GLUE adapters on one programmed MobileBERT) is.
/// </summary>
public static class PaperResults
{
    public const string SquadModel = "MobileBERT (google/mobilebert-uncased)";

    /// <summary>Methods named as in Ahwa's tables, so each figure stands in the row it compares with.</summary>
    public static IReadOnlyList<PaperPoint> For(string task) => task switch
    {
        "SQuAD" => new[]
        {
            new PaperPoint("Digital LoRA (upper bound)", "0 s", 89.47),
            new PaperPoint("AHWA-LoRA", "0 s", 89.06),
            new PaperPoint("AHWA-LoRA", "10 years", 85.36),
            new PaperPoint("Full AHWA", "10 years", 85.14),
            new PaperPoint("AHWA-LoRA trained for 8 bits", "10 years", 60.81),
            new PaperPoint("LoRA retrained for 6 bits", "10 years", 74.23),
        },
        _ => System.Array.Empty<PaperPoint>(),
    };

    /// <summary>The paper's eight GLUE adapters on one programmed MobileBERT against eight programmed models (parameters).</summary>
    public const int MultiTaskAdapters = 8;

    public const double MultiTaskOneChip = 38.1e6, MultiTaskSeparate = 168e6;

    /// <summary>BERT-base's and BERT-large's 10-year SQuAD F1 drop under AHWA-LoRA (points).</summary>
    public const double BertBaseTenYearDrop = 0.63, BertLargeTenYearDrop = 0.48;
}
