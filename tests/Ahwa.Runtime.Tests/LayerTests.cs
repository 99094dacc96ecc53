using System;
using System.Linq;
using Ahwa.Hardware;
using TorchSharp;
using static TorchSharp.torch;

namespace Ahwa.Runtime.Tests;

public class LayerTests
{
    static readonly LayerSpec Analog = new("encoder.layer.0.attention.self.query", LayerKind.Analog, 24, 16, true, new LoraSpec(4, 8.0, 0.0));
    static readonly LayerSpec Digital = new("classifier", LayerKind.Digital, 16, 3, true, null);

    [Fact]
    public void AnalogLayerComputesScaledWeightsPlusBiasPlusScaledLora()
    {
        using var layer = new AnalogLinear(Analog, new Generator(1));
        using (no_grad())
        {
            layer.LoraB!.weight!.normal_(generator: new Generator(2));
            layer.output_scale.uniform_(0.5, 1.5, generator: new Generator(3));
            layer.bias!.normal_(generator: new Generator(4));
        }
        using var x = randn(new long[] { 5, 24 }, generator: new Generator(5));
        using var y = layer.call(x);
        using var expected = x.matmul(layer.weight.t()) * layer.output_scale + layer.bias!
                             + 2.0 * x.matmul(layer.LoraA!.weight!.t()).matmul(layer.LoraB.weight!.t());
        Assert.True(y.allclose(expected, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void LoraStartsFromTheBaseModel()
    {
        using var layer = new AnalogLinear(Analog, new Generator(1));
        Assert.Equal(0f, layer.LoraB!.weight!.abs().max().item<float>());
        float bound = 1f / MathF.Sqrt(24);
        Assert.True(layer.LoraA!.weight!.abs().max().item<float>() <= bound);
        Assert.True(layer.LoraA.weight!.abs().max().item<float>() > bound / 2);
        Assert.Equal(new long[] { 4, 24 }, layer.LoraA.weight!.shape);
        Assert.Equal(new long[] { 16, 4 }, layer.LoraB.weight!.shape);
    }

    [Fact]
    public void ParameterNamesFollowPeftAndMetaWeightsAreFrozen()
    {
        using var layer = new AnalogLinear(Analog, new Generator(1));
        var names = layer.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(new[] { "weight", "bias", "output_scale", "lora_A.weight", "lora_B.weight" }, names.Keys);
        Assert.False(names["weight"].requires_grad);
        Assert.False(names["output_scale"].requires_grad);
        Assert.True(names["lora_A.weight"].requires_grad);
        Assert.True(names["bias"].requires_grad);
    }

    [Fact]
    public void TheSameSeedGivesTheSameWeights()
    {
        using var a = new AnalogLinear(Analog, new Generator(42));
        using var b = new AnalogLinear(Analog, new Generator(42));
        using var c = new AnalogLinear(Analog, new Generator(43));
        Assert.True(a.weight.eq(b.weight).all().item<bool>());
        Assert.True(a.LoraA!.weight!.eq(b.LoraA!.weight!).all().item<bool>());
        Assert.False(a.weight.eq(c.weight).all().item<bool>());
    }

    [Fact]
    public void WrongInputWidthNamesTheLayerAndTheShape()
    {
        using var layer = new DigitalLinear(Digital, new Generator(1));
        using var x = zeros(2, 15);
        var error = Assert.Throws<ArgumentException>(() => layer.call(x));
        Assert.Contains("'classifier' expects 16 input features, got shape [2, 15]", error.Message);
    }

    [Fact]
    public void KindMismatchIsRejected()
    {
        Assert.Contains("'classifier' is Digital, not analog", Assert.Throws<ArgumentException>(() => new AnalogLinear(Digital, new Generator(1))).Message);
        Assert.Contains("is analog, not digital", Assert.Throws<ArgumentException>(() => new DigitalLinear(Analog, new Generator(1))).Message);
    }
}
