"""Ahwa's PyTorch runtime: analog layers with digital LoRA (AHWA-LoRA), programmed-chip evaluation, PEFT
adapter files and a torchrun training entry point. Only torch and numpy are required."""
from .spec import ChipSpec, LoraSpec, split, converter_step, converter_steps
from .seeds import Purpose, stream_seed, generator
from .noise import InjectedNoise, SeededNoise, noise_context
from .analog import AnalogLinear, quantize, seed_noise, set_mode, analog_layers, hardware_aware_forward

__all__ = ["ChipSpec", "LoraSpec", "split", "converter_step", "converter_steps", "Purpose", "stream_seed",
           "generator", "InjectedNoise", "SeededNoise", "noise_context", "AnalogLinear", "quantize", "seed_noise",
           "set_mode", "analog_layers", "hardware_aware_forward"]
