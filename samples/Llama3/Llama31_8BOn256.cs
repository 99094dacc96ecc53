using System.Collections.Generic;
using Ahwa.Dsl;
using Ahwa.Runtime;

namespace Llama3;

/// <summary>LLaMA-3.1-8B's analog layers on a chip of 256 x 256 tiles: the deployment variant (tile map, kernels,
/// pipeline report) of <see cref="Llama31_8B"/>, with the same layers under the same names; the forward is
/// Llama31_8B's. Four times the tiles (106496), and 16 input blocks per 4096-wide layer, whose ADC codes make the
/// 4096 x 14336 kernel's one-token working set 2.2 MiB, hence the 4 MiB L1.</summary>
[AnalogModel]
[AnalogChip(TileRows = 256, TileCols = 256, Tiles = 106496)]
[RiscVCluster(L1KiB = 4096)]
[LoraDefaults(Rank = 16, Alpha = 32)]
public partial class Llama31_8BOn256
{
    [Blocks(typeof(Llama31_8BLayer), Llama31_8BConfig.Layers, Name = "model.layers")]
    public partial IReadOnlyList<Llama31_8BLayer> DecoderLayers { get; }
}
