#!/usr/bin/env bash
# The main job on its built-in defaults. Extra arguments go to the program.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v dotnet >/dev/null 2>&1; then
  echo "run-main.sh: the .NET 10 SDK is required (dotnet not found on PATH)." >&2
  exit 2
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run --project samples/MiniLmSentiment/MiniLmSentiment.csproj -c Release -- "$@"
