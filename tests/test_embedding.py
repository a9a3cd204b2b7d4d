"""Embedding in a host: many short-lived threads each calling consult() keep memory flat,
and nothing freezes the host's heap unless asked (issue 13, item 5)."""
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import gc, threading
    from expert import consult

    def rss_mb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024

    situation = {"target_group": "return", "asylum_procedure_final": True}
    consult(situation)
    start = rss_mb()
    for _ in range(200):                      # each thread gets (and drops) its own Advisor
        worker = threading.Thread(target=consult, args=(situation,))
        worker.start()
        worker.join()
    gc.collect()
    print(f"{start:.1f} {rss_mb():.1f} {gc.get_freeze_count()}")
""")


def test_two_hundred_short_lived_threads_keep_memory_flat_and_the_heap_unfrozen():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    start, end, frozen = result.stdout.split()
    assert float(end) < 150, (start, end)
    assert int(frozen) == 0          # an embedding host's collector is left alone
