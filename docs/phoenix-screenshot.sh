#!/usr/bin/env bash
# Screenshots a trace's detail view (span tree and selected span) in the Arize Phoenix UI with
# headless Chromium (Debian: `apt-get install -y chromium pngquant`).
#
#   PHOENIX_URL=http://127.0.0.1:6006 docs/phoenix-screenshot.sh TRACE_ID [OUT.png]
#   docs/phoenix-screenshot.sh http://127.0.0.1:6006/projects/<project id>/traces/<trace id> [OUT.png]
#
# A bare trace id goes through Phoenix's /redirects/traces/<id>, which finds the trace's project.
# How docs/phoenix-trace.png was made: `source .ci/backends`, then
#   OTEL_EXPORTER_OTLP_ENDPOINT=$PHOENIX_URL OTEL_EXPORTER_OTLP_HEADERS=x-project-name=react-agent-demo \
#     OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true cargo run --example react_agent
# and this script on the trace of "What is 12 divided by 4, plus 7?".
set -euo pipefail

target="${1:?usage: PHOENIX_URL=... $0 TRACE_ID|TRACE_URL [OUT.png]}"
out="${2:-docs/phoenix-trace.png}"
case "$target" in
    http://* | https://*) url="$target" ;;
    *) url="${PHOENIX_URL:?set PHOENIX_URL or pass the trace page URL}/redirects/traces/$target" ;;
esac

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
# Offline and quiet: no sync, updates or background fetches; a fresh profile. The virtual time
# budget lets the single-page app load, follow the redirect and query GraphQL before the shot.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --disable-background-networking --disable-component-update --disable-sync --no-first-run \
    --user-data-dir="$profile" --virtual-time-budget="${VIRTUAL_TIME_BUDGET:-20000}" \
    --window-size=1600,1000 --screenshot="$out" "$url" 2>/dev/null

# Keep it small for the repository: 256 colours are plenty for a UI.
if command -v pngquant >/dev/null; then
    pngquant --force --skip-if-larger --quality=70-95 --output "$out" -- "$out" || true
fi
echo "$out: $(wc -c <"$out") bytes, from $url"
