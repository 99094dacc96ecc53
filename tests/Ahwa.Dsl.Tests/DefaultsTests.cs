using Ahwa.Dsl;
using Ahwa.Hardware;

namespace Ahwa.Dsl.Tests;

/// <summary>The attribute defaults are the numbers of shared/design/HARDWARE-MODEL.md, and Targets' defaults agree.</summary>
public class DefaultsTests
{
    // Attribute's own TypeId is not a setting.
    const System.Reflection.BindingFlags Declared = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly;

    [Fact]
    public void ChipDefaultsFollowTheHardwareModel()
    {
        var chip = new AnalogChipAttribute();
        Assert.Equal((512, 512), (chip.TileRows, chip.TileCols));
        Assert.Equal((8, 8), (chip.DacBits, chip.AdcBits));
        Assert.Equal(12.0, chip.OutputBound);
        Assert.Equal(0.04, chip.OutputNoise);
        Assert.Equal(0.067, chip.WeightNoise);
        Assert.Equal(3.0, chip.WeightClipSigma);
        Assert.Equal(BoundManagement.Iterative, chip.BoundManagement);
        Assert.Equal(1000.0, chip.BoundManagementLimit);
        Assert.Equal(NoiseManagement.AbsMax, chip.NoiseManagement);
        Assert.Equal(DeviceModel.PcmLike, chip.Device);
        Assert.Equal(25.0, chip.GMaxMicroSiemens);
    }

    [Fact]
    public void LoraDefaultsFollowTheRecipe()
    {
        var lora = new LoraDefaultsAttribute();
        Assert.Equal((8, 32.0, 0.1), (lora.Rank, lora.Alpha, lora.Dropout));
    }

    [Fact]
    public void ClusterDefaultsDescribeASnitchCluster()
    {
        var cluster = new RiscVClusterAttribute();
        Assert.Equal((8, 128, ClusterDataType.Fp16), (cluster.Cores, cluster.L1KiB, cluster.DataType));
        // RedMulE's 32-FMA instance (8 rows of 4 FMAs, 3 pipeline registers), off unless asked for.
        Assert.Equal((false, 8, 4, 3), (cluster.MatrixEngine, cluster.EngineWidth, cluster.EngineHeight, cluster.EnginePipeRegs));
    }

    [Fact]
    public void TargetsDefaultsMatchTheAttributes()
    {
        var chip = new AnalogChipAttribute();
        var expected = new ChipSpec(chip.TileRows, chip.TileCols, chip.Tiles, chip.DacBits, chip.AdcBits, chip.OutputBound, chip.OutputNoise,
            chip.WeightNoise, chip.WeightClipSigma, chip.BoundManagement, chip.BoundManagementLimit, chip.NoiseManagement, chip.Device, chip.GMaxMicroSiemens);
        Assert.Equal(expected, ChipSpec.Default);
        var lora = new LoraDefaultsAttribute();
        Assert.Equal(new LoraSpec(lora.Rank, lora.Alpha, lora.Dropout), LoraSpec.Default);
        Assert.Equal(4.0, LoraSpec.Default.Scale);
        var cluster = new RiscVClusterAttribute();
        Assert.Equal(new ClusterSpec(cluster.Cores, cluster.L1KiB, cluster.DataType), ClusterSpec.Default);
    }

    [Fact]
    public void EverySpecDefaultIsReadFromItsAttribute()
    {
        // Property by property, so a field added to one side but not the other fails here.
        var chip = new AnalogChipAttribute();
        foreach (var property in typeof(AnalogChipAttribute).GetProperties(Declared))
            Assert.Equal(property.GetValue(chip), typeof(ChipSpec).GetProperty(property.Name)!.GetValue(ChipSpec.Default));
        var lora = new LoraDefaultsAttribute();
        foreach (var property in typeof(LoraDefaultsAttribute).GetProperties(Declared))
            Assert.Equal(property.GetValue(lora), typeof(LoraSpec).GetProperty(property.Name)!.GetValue(LoraSpec.Default));
        var cluster = new RiscVClusterAttribute();
        foreach (var property in typeof(RiscVClusterAttribute).GetProperties(Declared))
            Assert.Equal(property.GetValue(cluster), typeof(ClusterSpec).GetProperty(property.Name)!.GetValue(ClusterSpec.Default));
    }

    [Fact]
    public void SpecDefaultsPassTheRules()
    {
        Assert.Empty(HardwareRules.Check(ChipSpec.Default));
        Assert.Empty(HardwareRules.Check(LoraSpec.Default));
        Assert.Empty(HardwareRules.Check(ClusterSpec.Default));
    }

    [Fact]
    public void LoraOverrideLeavesEverythingUnsetByDefault()
    {
        var lora = new LoraAttribute();
        Assert.Equal(0, lora.Rank);
        Assert.Equal(0.0, lora.Alpha);
        Assert.True(double.IsNaN(lora.Dropout));
        Assert.False(lora.Disabled);
    }
}
