using System.Globalization;
using System.Linq;
using System.Threading;
using Ahwa.Codegen;
using Ahwa.Hardware;
using CsCheck;

namespace Ahwa.Hardware.Tests;

public class NamingAndLiteralTests
{
    [Theory]
    [InlineData("Fc1", "fc1")]
    [InlineData("FfnIn", "ffn_in")]
    [InlineData("Query", "query")]
    [InlineData("QKVProjection", "qkv_projection")]
    [InlineData("attention", "attention")]
    public void PropertyNamesBecomeSnakeCase(string property, string expected) =>
        Assert.Equal(expected, LayerNaming.FromPropertyName(property));

    [Fact]
    public void BlockNamesFollowHuggingFace()
    {
        Assert.Equal("encoder.layer.3.attention.self.query",
            LayerNaming.Join(LayerNaming.BlockPrefix("encoder.layer", 3), "attention.self.query"));
        Assert.Equal("classifier", LayerNaming.Join("", "classifier"));
    }

    [Theory]
    [InlineData("encoder.layer.0.attention", true)]
    [InlineData("a..b", false)]
    [InlineData(".a", false)]
    [InlineData("", false)]
    [InlineData("a-b", false)]
    public void LayerNameValidity(string name, bool valid) => Assert.Equal(valid, LayerNaming.IsValid(name));

    [Fact]
    public void WeightNamesMatchPeftAndHuggingFace()
    {
        var layer = new LayerSpec("encoder.layer.0.attention.self.query", LayerKind.Analog, 384, 384, true, LoraSpec.Default);
        Assert.Equal(new[]
        {
            "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.query.bias",
            "encoder.layer.0.attention.self.query.output_scale", "encoder.layer.0.attention.self.query.lora_A.weight",
            "encoder.layer.0.attention.self.query.lora_B.weight",
        }, LayerNaming.WeightNames(layer).Select(w => w.Name));
        Assert.Equal("base_model.model.encoder.layer.0.attention.self.query.lora_A.weight", LayerNaming.Peft(LayerNaming.LoraA(layer.Name)));
    }

    [Fact]
    public void DoubleLiteralsRoundTripWhateverTheCulture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            // fi-FI writes U+2212 minus signs and decimal commas; literals must not.
            Thread.CurrentThread.CurrentCulture = CultureInfo.GetCultureInfo("fi-FI");
            Gen.Double.Where(d => !double.IsNaN(d) && !double.IsInfinity(d)).Sample(d =>
            {
                var text = Literals.JsonNumber(d);
                Assert.Equal(d, double.Parse(text, CultureInfo.InvariantCulture));
                Assert.DoesNotContain(",", text);
                Assert.DoesNotContain("\u2212", text);
            }, iter: 2000);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void StringLiteralsEscape() =>
        Assert.Equal("\"a\\\"b\\\\c\\n\\u0001\"", Literals.String("a\"b\\c\n\u0001"));

    /// <summary>Up to the limit a string is an ordinary literal; beyond it UTF-8 data (no share of the assembly's
    /// user-string heap), unless it holds a lone surrogate, which UTF-8 cannot encode.</summary>
    [Fact]
    public void LongCSharpStringsBecomeUtf8Data()
    {
        string limit = new('x', Literals.MaxInlineStringLength), over = limit + "y";
        Assert.Equal("\"" + limit + "\"", Literals.CSharpString(limit));
        Assert.Equal("global::System.Text.Encoding.UTF8.GetString(\"" + over + "\"u8)", Literals.CSharpString(over));
        Assert.Equal("global::System.Text.Encoding.UTF8.GetString(@\"" + over + "\n\"\"\"u8)", Literals.CSharpText(over + "\n\""));
        Assert.StartsWith("global::System.Text.Encoding.UTF8.GetString(", Literals.CSharpString(over + "\ud83d\ude00"));
        Assert.Equal("\"" + over + "\ud83d\"", Literals.CSharpString(over + "\ud83d"));
    }
}
