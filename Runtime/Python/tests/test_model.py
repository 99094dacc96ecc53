"""ahwa.model, what generated PyTorch modules build on: dotted registration, the layer factory, strict weight loading,
the AHWA-LoRA parameter split, the member descriptors and C#'s integer division."""
import pytest
import torch
from torch import nn

from ahwa import files
from ahwa.agreement import compare
from ahwa.model import AhwaBlock, AhwaModel, Blocks, DigitalLinear, Layer, block_prefix, cs_divide, join, load_weights


class Block(AhwaBlock):
    Up = Layer("intermediate.dense")

    def __init__(self, factory, prefix):
        super().__init__(prefix)
        self.norm = None
        self.register_layer("intermediate.dense", factory.analog(join(prefix, "intermediate.dense")))
        self.OnLayersCreated()

    def OnLayersCreated(self):
        self.norm = nn.LayerNorm(8)
        self.register_layer("output.LayerNorm", self.norm)

    def Forward(self, x):
        return self.norm(x + self.Up(x))


class Model(AhwaModel):
    LAYERS = (
        ("encoder.layer.0.intermediate.dense", "analog", 8, 8, True, 2, 4.0, 0.0),
        ("encoder.layer.1.intermediate.dense", "analog", 8, 8, True, 2, 4.0, 0.0),
        ("classifier", "digital", 8, 3, True, 0, 0.0, 0.0),
    )
    CHIP = {"tile_rows": 4, "tile_cols": 4, "tiles": 64, "bound_management": "iterative"}
    ENTRY = "Forward"
    Layers = Blocks("encoder.layer", 2)
    Classifier = Layer("classifier")

    def __init__(self, seed=42, mode="digital", chip=None, entry=None):
        super().__init__(seed, mode, chip, entry)
        for i in range(2):
            prefix = block_prefix("encoder.layer", i)
            self.register_layer(prefix, Block(self.factory, prefix))
        self.register_layer("classifier", self.factory.digital("classifier"))
        self.OnLayersCreated()

    def OnLayersCreated(self):
        self.words = nn.Embedding(10, 8)
        self.register_layer("embeddings.word_embeddings", self.words)

    def Forward(self, ids):
        h = self.words(ids)
        for layer in self.Layers:
            h = layer.Forward(h)
        return self.Classifier(h.mean(1))


def test_layers_register_under_hugging_face_names_once():
    m = Model()
    names = list(m.state_dict())
    assert "encoder.layer.0.intermediate.dense.lora_A.weight" in names
    assert "encoder.layer.1.output.LayerNorm.weight" in names
    assert "embeddings.word_embeddings.weight" in names
    # the fields that hold registered modules are not registered a second time under their own names
    assert not any(n.startswith(("words.", "norm.")) or ".norm." in n for n in names)
    assert m.words is m.get_submodule("embeddings.word_embeddings")
    assert [b.prefix for b in m.Layers] == ["encoder.layer.0", "encoder.layer.1"]


def test_register_layer_rejects_a_taken_path_and_an_invalid_one():
    m = Model()
    with pytest.raises(ValueError, match="already registered at 'classifier'"):
        m.register_layer("classifier", nn.Linear(2, 2))
    with pytest.raises(ValueError, match="invalid layer path 'a..b'"):
        m.register_layer("a..b", nn.Linear(2, 2))


def test_factory_numbers_analog_layers_in_creation_order_and_checks_names():
    m = Model(seed=5)
    up0, up1 = (m.get_submodule(f"encoder.layer.{i}.intermediate.dense") for i in range(2))
    assert (up0.noise_index, up1.noise_index) == (0, 1)
    assert not torch.equal(up0.weight, up1.weight)
    assert torch.equal(Model(seed=5).state_dict()["classifier.weight"], m.state_dict()["classifier.weight"])
    with pytest.raises(KeyError, match="no layer 'missing'"):
        m.factory.analog("missing")
    with pytest.raises(ValueError, match="layer 'classifier' is digital, not analog"):
        m.factory.analog("classifier")


def test_descriptors_see_a_replaced_child():
    m = Model()
    wrapper = nn.Sequential()
    m.get_submodule("encoder.layer")._modules["1"] = wrapper  # what a wrapping policy does
    assert m.Layers[1] is wrapper


def test_ahwa_lora_trains_lora_and_digital_layers_only():
    m = Model().configure_training("ahwa_lora")
    trainable = sorted(n for n, p in m.named_parameters() if p.requires_grad)
    assert trainable == sorted(["encoder.layer.0.intermediate.dense.lora_A.weight", "encoder.layer.0.intermediate.dense.lora_B.weight",
                                "encoder.layer.1.intermediate.dense.lora_A.weight", "encoder.layer.1.intermediate.dense.lora_B.weight",
                                "classifier.weight", "classifier.bias"])
    assert all(p.requires_grad for p in m.configure_training("full_ahwa").parameters())
    with pytest.raises(ValueError, match="training regime 'lora'"):
        m.configure_training("lora")


def test_load_weights_accounts_for_every_tensor(tmp_path):
    source = Model(seed=1)
    path = str(tmp_path / "w.safetensors")
    state = {k: v for k, v in source.state_dict().items() if "lora_" not in k}
    files.save_file(state, path)
    target = load_weights(Model(seed=2), path)
    assert torch.equal(target.state_dict()["encoder.layer.0.intermediate.dense.weight"], state["encoder.layer.0.intermediate.dense.weight"])
    files.save_file({**state, "extra.weight": torch.zeros(1)}, path)
    with pytest.raises(ValueError, match="tensor 'extra.weight' is not a parameter of Model"):
        load_weights(Model(), path)
    files.save_file({**state, "classifier.weight": torch.zeros(2, 8)}, path)
    with pytest.raises(ValueError, match=r"tensor 'classifier.weight' has shape \[2, 8\]; the model expects \[3, 8\]"):
        load_weights(Model(), path)
    files.save_file({k: v for k, v in state.items() if k != "classifier.bias"}, path)
    with pytest.raises(ValueError, match="w.safetensors': tensor 'classifier.bias' is missing"):
        load_weights(Model(), path)


def test_forward_calls_the_entry_method_or_says_how_to_choose_one():
    m = Model()
    assert m(torch.tensor([[1, 2, 3]])).shape == (1, 3)
    with pytest.raises(ValueError, match="has no method 'Classify'"):
        Model(entry="Classify")
    class NoEntry(Model):
        ENTRY = None
    with pytest.raises(RuntimeError, match="entry='MethodName'"):
        NoEntry()(torch.tensor([[1]]))


def test_digital_linear_with_lora_adds_the_scaled_branch():
    layer = DigitalLinear(4, 3, seed=1, index=0, lora=Model().factory.table["encoder.layer.0.intermediate.dense"].lora)
    with torch.no_grad():
        layer.lora_B.weight.fill_(0.5)
    x = torch.randn(2, 4)
    want = torch.nn.functional.linear(x, layer.weight, layer.bias) + layer.lora_B(layer.lora_A(x)) * 2.0
    assert torch.allclose(layer.eval()(x), want)


@pytest.mark.parametrize("a, b, q", [(7, 2, 3), (-7, 2, -3), (7, -2, -3), (-7, -2, 3), (6, 3, 2)])
def test_cs_divide_truncates_toward_zero(a, b, q):
    assert cs_divide(a, b) == q


def test_agreement_reports_exact_and_flipped_samples():
    m = Model()
    ids = torch.tensor([[1, 2, 3], [4, 5, 6]])
    m.eval()
    with torch.no_grad():
        want = m(ids)
    off = want.clone()
    off[1, 0] += 1.0
    result = compare(m, {"arg0": ids}, {"digital": off})
    assert result["digital"]["rows"] == 2 and result["digital"]["rows_agreeing"] == 1
    assert compare(m, {"arg0": ids}, {"digital": want})["digital"]["max_relative"] == 0.0


def test_fsdp_wraps_each_block_as_a_unit():
    from ahwa import fsdp
    assert fsdp.wrap_units(Model()) == ["encoder.layer.0", "encoder.layer.1"]
