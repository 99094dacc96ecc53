using System.Text.Json;
using Ahwa.Codegen;
using static Ahwa.Codegen.JsonText;

namespace Ahwa.Targets.Tests;

/// <summary>The deployment files' one JSON writer: the layout the baselines pin, and text any JSON reader takes.</summary>
public class JsonTextTests
{
    [Fact]
    public void WritesObjectsAcrossLinesAndRecordsOnOne()
    {
        var text = JsonText.Write(Object(
            ("name", String("a \"b\"")),
            ("count", Long(1L << 40)),
            ("empty", Array([])),
            ("files", Row([String("x.c"), String("y.h")])),
            ("tiles", Array([Record(("id", Int(0)), ("share", Number(0.1))), Record(("id", Int(1)), ("share", Number(-2.5e-9)))])),
            ("nested", Object(("rows", Int(128))))));
        Assert.Equal("""
            {
              "name": "a \"b\"",
              "count": 1099511627776,
              "empty": [
              ],
              "files": ["x.c", "y.h"],
              "tiles": [
                { "id": 0, "share": 0.1 },
                { "id": 1, "share": -2.5E-09 }
              ],
              "nested": {
                "rows": 128
              }
            }

            """.Replace("\r\n", "\n"), text);
        using var document = JsonDocument.Parse(text);
        Assert.Equal("a \"b\"", document.RootElement.GetProperty("name").GetString());
        Assert.Equal(-2.5e-9, document.RootElement.GetProperty("tiles")[1].GetProperty("share").GetDouble());
    }
}
