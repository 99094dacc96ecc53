"""Issue 30: the PyTorch package and the C# agree. ahwa/_generated.py and fixtures/csharp_facts.json are written by
the C# (Runtime/Simulator/PythonFacts.cs, tests/Ahwa.Simulator.Tests/PythonFactsTests.cs, which fail while either
checked-in file differs from what the C# writes now); these tests fail when the Python answers a rule, a message, a
device formula or a drift-sweep seed differently from the C#."""
import ast
import inspect
import json
import os
import re

import pytest
import torch

import ahwa
from ahwa import AnalogLinear, ChipSpec, LoraSpec, Purpose
from ahwa import _generated as generated
from ahwa import chip
from ahwa.devices import REGISTRY, GaussianDevice, PcmLikeDevice, device_model
from ahwa.model import AhwaModel
from ahwa.seeds import derive

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fixtures", "csharp_facts.json")) as f:
    FACTS = json.load(f)


def test_the_specs_have_the_csharp_fields_and_defaults():
    assert [(f.name, f.default) for f in ahwa.spec.dataclasses.fields(ChipSpec)] == [(f[0], f[3]) for f in generated.CHIP_FIELDS]
    assert [(f.name, f.default) for f in ahwa.spec.dataclasses.fields(LoraSpec)] == [(f[0], f[3]) for f in generated.LORA_FIELDS]


@pytest.mark.parametrize("case", FACTS["rules"], ids=lambda c: f"{c['python']}={c['value']}")
def test_each_rule_and_message_is_the_csharp_one(case):
    value = int(case["value"]) if case["type"] == "int" else float(case["value"])
    owner = {"chip": ChipSpec, "lora": LoraSpec}[case["spec"]]
    if case["message"] is None:
        owner(**{case["python"]: value})
        return
    with pytest.raises(ValueError) as error:
        owner(**{case["python"]: value})
    # The same message, the field named as Python spells it.
    assert str(error.value) == case["message"].replace(case["csharp"], f"{owner.__name__}.{case['python']}", 1)


@pytest.mark.parametrize("formulas", FACTS["formulas"], ids=lambda f: f"g_max={f['g_max']}")
def test_device_formulas_are_the_csharp_ones(formulas):
    g_max = formulas["g_max"]
    g = torch.tensor(formulas["g"], dtype=torch.float64)
    for name, f in (("programming_std", chip.programming_std), ("drift_mean", chip.drift_mean), ("drift_std", chip.drift_std)):
        assert torch.allclose(f(g, g_max), torch.tensor(formulas[name], dtype=torch.float64), rtol=1e-12, atol=0), name
    read = torch.stack([chip.read_noise_std(g, t, g_max) for t in formulas["t"]], 1)
    assert torch.allclose(read, torch.tensor(formulas["read_noise_std"], dtype=torch.float64), rtol=1e-12, atol=0)


def test_derive_is_random_stream_derive():
    for case in FACTS["seeds"]["derive"]:
        assert derive(case["seed"], Purpose(case["purpose"]), case["index"]) == case["value"], Purpose(case["purpose"]).name


@pytest.mark.parametrize("sweep", FACTS["seeds"]["sweeps"], ids=lambda s: str(s["seed"]))
def test_the_drift_sweep_derives_the_csharp_seeds(sweep, monkeypatch):
    """The same protocol (program per repetition, drift per time) with the same seeds as DriftSweep.RunMetrics."""
    calls = []
    monkeypatch.setattr(chip, "program_model", lambda model, seed: calls.append(("program", seed)))
    monkeypatch.setattr(chip, "drift_model", lambda model, seconds, seed: calls.append(("drift", seed)))
    chip.drift_sweep(torch.nn.Sequential(), lambda m: 0.0, chip.DRIFT_TIMES, repetitions=len(sweep["programming"]), seed=sweep["seed"])
    expected = []
    for programming, drifts in zip(sweep["programming"], sweep["drift"]):
        expected += [("program", programming)] + [("drift", d) for d in drifts]
    assert calls == expected


def test_one_device_registry_with_the_csharp_names():
    assert tuple(REGISTRY) == generated.DEVICE_MODELS == tuple(ahwa.spec.snake_case(n) for n in FACTS["devices"]["known"])
    assert isinstance(device_model(ChipSpec()), PcmLikeDevice)
    assert device_model(ChipSpec(g_max_micro_siemens=10.0)).g_max == 10.0
    assert isinstance(device_model(ChipSpec(device="gaussian")), GaussianDevice)
    # The message is C#'s: with C#'s values it reads as the C# one.
    csharp = FACTS["devices"]
    assert generated.UNKNOWN_DEVICE.format(csharp["unknown"], ", ".join(csharp["known"])) == csharp["unknown_message"]


def test_an_unknown_device_is_an_error_naming_it_and_the_known_ones(monkeypatch):
    class Chip:
        device, g_max_micro_siemens = "memristor", 25.0
    with pytest.raises(ValueError, match=r"^Device model 'memristor' is unknown; the known device models are pcm_like, gaussian\.$"):
        device_model(Chip())
    # A device the C# knows but this registry lacks is the same error, never another device's behaviour.
    monkeypatch.delitem(REGISTRY, "gaussian")
    with pytest.raises(ValueError, match="Device model 'gaussian' is unknown"):
        device_model(ChipSpec(device="gaussian"))
    with pytest.raises(ValueError, match=r"^ChipSpec.device is 'memristor'; it must be a defined DeviceModel value \(pcm_like, gaussian\)\.$"):
        ChipSpec(device="memristor")


def _programmed(chip_spec):
    torch.manual_seed(0)
    layer = AnalogLinear(8, 6, seed=1, chip=chip_spec)
    chip.program(layer, seed=3)
    return layer


def test_the_declared_device_and_g_max_change_what_is_simulated():
    pcm, low = _programmed(ChipSpec()), _programmed(ChipSpec(g_max_micro_siemens=10.0))
    assert not torch.equal(pcm.programmed.effective, low.programmed.effective)
    assert pcm.programmed.g_plus.max() > 15 and low.programmed.g_plus.max() < 15
    gaussian = _programmed(ChipSpec(device="gaussian"))
    programmed = gaussian.programmed.effective.clone()
    chip.drift_to(gaussian, 31536000.0, seed=4)
    assert torch.equal(gaussian.programmed.effective, programmed)  # Gaussian devices neither drift nor read noisily
    before = pcm.programmed.effective.clone()
    chip.drift_to(pcm, 31536000.0, seed=4)
    assert not torch.equal(pcm.programmed.effective, before)


def test_the_package_imports_run_one_way():
    """No import circle, lazy imports included: each module's imports of the package's own modules, anywhere in it."""
    folder = os.path.dirname(ahwa.__file__)
    graph = {}
    for name in os.listdir(folder):
        if name.endswith(".py"):
            with open(os.path.join(folder, name)) as f:
                tree = ast.parse(f.read())
            graph[name[:-3]] = {n.module.split(".")[0] if n.module else a.name for n in ast.walk(tree)
                                if isinstance(n, ast.ImportFrom) and n.level == 1 for a in n.names}
    graph = {m: {d if d in graph else None for d in deps} - {None} for m, deps in graph.items()}
    done, path = set(), []

    def visit(module):
        assert module not in path, "import circle: " + " -> ".join(path[path.index(module):] + [module])
        if module in done:
            return
        path.append(module)
        for dependency in sorted(graph[module]):
            visit(dependency)
        path.pop()
        done.add(module)
    for module in sorted(graph):
        visit(module)


def test_every_default_seed_is_the_csharp_one():
    """Seeds.Default (Targets/Hardware/Seeds.cs) reaches Python through _generated; a seed default written as a number
    again (a keyword default or an argparse default: the value on a line about a seed) fails here."""
    assert inspect.signature(AhwaModel.__init__).parameters["seed"].default == generated.DEFAULT_SEED
    assert inspect.signature(chip.drift_sweep).parameters["seed"].default == generated.DEFAULT_SEED
    folder = os.path.dirname(ahwa.__file__)
    restated = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py") and name != "_generated.py":
            with open(os.path.join(folder, name)) as f:
                for number, line in enumerate(f, 1):
                    if re.search(rf"seed.*\b{generated.DEFAULT_SEED}\b", line, re.IGNORECASE):
                        restated.append(f"{name}:{number}: {line.strip()}")
    assert restated == []
