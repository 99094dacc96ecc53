using System;
using System.Linq;
using Ahwa.Runtime.Import;
using MiniLmSentiment;
using static TorchSharp.torch;

var pretrained = Pretrained.Load();
using var model = new MiniLm();
var loaded = BertCheckpoint.LoadInto(model, BertCheckpoint.FromOnnx(pretrained.Onnx()), pretrained.Source);
Console.WriteLine($"Loaded {loaded.Count} pretrained tensors into {MiniLm.Spec.Name} ({MiniLm.TileMap.TilesUsed} tiles).");
var tokenizer = pretrained.Tokenizer();
var ids = tokenizer.EncodeToIds("The food was great and the service friendly.").Select(i => (long)i).ToArray();
model.eval();
using var noGrad = no_grad();
var h = model.Encode(tensor(ids).unsqueeze(0), ones(1, ids.Length, dtype: ScalarType.Int64));
Console.WriteLine($"Last hidden state [{string.Join(", ", h.shape)}], first values {string.Join(" ", h[0, 0].data<float>().ToArray().Take(4).Select(v => v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)))}");
return 0;
