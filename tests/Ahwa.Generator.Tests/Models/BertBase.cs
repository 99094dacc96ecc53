using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Runtime;

namespace Ahwa.Models;

/// <summary>One BERT-base encoder layer (hidden 768, FFN 3072), Hugging Face names.</summary>
[AnalogBlock]
public partial class BertLayer
{
    [AnalogLinear(768, 768, Name = "attention.self.query")] public partial AnalogLinear Query { get; }
    [AnalogLinear(768, 768, Name = "attention.self.key")] public partial AnalogLinear Key { get; }
    [AnalogLinear(768, 768, Name = "attention.self.value")] public partial AnalogLinear Value { get; }
    [AnalogLinear(768, 768, Name = "attention.output.dense")] public partial AnalogLinear AttentionOutput { get; }
    [AnalogLinear(768, 3072, Name = "intermediate.dense")] public partial AnalogLinear Intermediate { get; }
    [AnalogLinear(3072, 768, Name = "output.dense")] public partial AnalogLinear Output { get; }
}

/// <summary>BERT-base: 12 encoder layers on analog tiles, a digital classification head. Its 768 x 3072 LoRA
/// kernels need about 177 KiB of L1 for one token, more than a 128 KiB Snitch cluster has.</summary>
[AnalogModel]
[AnalogChip(TileRows = 512, TileCols = 512, Tiles = 2048)]
[RiscVCluster(L1KiB = 256)]
public partial class BertBase
{
    [Blocks(typeof(BertLayer), 12, Name = "encoder.layer")]
    public partial IReadOnlyList<BertLayer> Layers { get; }

    [DigitalLinear(768, 2, Name = "classifier")]
    public partial DigitalLinear Classifier { get; }
}
