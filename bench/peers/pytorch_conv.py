"""PyTorch peer for bench/run.ts (driven by bench/peers/pytorch.ts): times conv2d forward, one thread.

python3 bench/peers/pytorch_conv.py --serve prints one JSON line, {"ok": true, "torch": version,
"threads": 1, "mkldnn": bool} (or {"ok": false, "error": "..."} when torch cannot be imported),
then answers each request line {"layer": {"id": "c256-28", "M": 256, "K": 256, "H": 28, "W": 28,
"k": 3, "padding": 1}, "ms": N} with {"samples": [ms, ...]}: the layer's calls timed for about N ms
(batches of at least 2 ms, one sample per batch; 1.5 s of warm-up the first time a layer is asked
for: its first rounds were still slower after 0.3 s). The bench asks for one such round between the
rounds of the other contenders, so that PyTorch meets the same load of the shared machine as they do.
"""
import json
import sys
import time


def make_call(torch, F, L):
    x = torch.randn(1, L["M"], L["H"], L["W"], dtype=torch.float32)
    w = torch.randn(L["K"], L["M"], L["k"], L["k"], dtype=torch.float32)

    def call():
        with torch.no_grad():
            return F.conv2d(x, w, padding=L["padding"])
    return call


def warm(call, seconds):
    end = time.perf_counter() + seconds
    calls = 0
    while time.perf_counter() < end or calls < 3:
        call()
        calls += 1
    t = time.perf_counter()
    call()
    return time.perf_counter() - t


def sample(call, one, seconds):
    """Per-call ms, one sample per batch of calls lasting at least 2 ms, for about `seconds` (at least one)."""
    batch = max(1, int(0.002 / max(one, 1e-6)))
    samples = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or not samples:
        t = time.perf_counter()
        for _ in range(batch):
            call()
        samples.append((time.perf_counter() - t) / batch * 1000)
    return samples


def serve(torch, F):
    print(json.dumps({"ok": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "mkldnn": bool(torch.backends.mkldnn.is_available())}), flush=True)
    calls = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        L = req["layer"]
        if L["id"] not in calls:
            call = make_call(torch, F, L)
            calls[L["id"]] = (call, warm(call, 1.5))
        call, one = calls[L["id"]]
        print(json.dumps({"samples": sample(call, one, req["ms"] / 1000)}), flush=True)


def main() -> None:
    if sys.argv[1:] != ["--serve"]:
        sys.exit("usage: pytorch_conv.py --serve (requests on stdin, see the top of this file)")
    try:
        import torch
        import torch.nn.functional as F
    except Exception as e:  # noqa: BLE001 - any import failure means no peer
        print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}"}), flush=True)
        return
    torch.set_num_threads(1)
    torch.manual_seed(0)
    serve(torch, F)


if __name__ == "__main__":
    main()
