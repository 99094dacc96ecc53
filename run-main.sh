#!/usr/bin/env bash
# The main job on its built-in defaults. Extra arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "run-main.sh: the .NET 10 SDK is required (dotnet not found on PATH)." >&2
  exit 2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# LibTorch's OpenMP threads sleep when idle instead of spinning: on programmed tiles the simulator's own threads run
# between LibTorch's operations, and spinning threads took the cores from them (a drift-sweep slice 16.9 s spinning,
# 11.9 s passive, before the simulator's later speed-ups; docs/benchmarks.md). Set it yourself to override.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# glibc asks for transparent huge pages for LibTorch's large blocks: from 128 tokens (SQuAD, the GLUE recipe and suite)
# each activation is a fresh mapping (NativeAllocator), and faulting it in 4 KiB pages took most of an evaluation on
# programmed tiles (SQuAD's windows: 490-615 against 2,035 tokens/s; docs/benchmarks.md). A value of yours for it wins.
case ":${GLIBC_TUNABLES:-}:" in
  *:glibc.malloc.hugetlb=*) ;;
  *) export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1" ;;
esac
dotnet run --project samples/MiniLmSentiment/MiniLmSentiment.csproj -c Release -- "$@"
