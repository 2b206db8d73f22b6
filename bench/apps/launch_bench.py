"""``launch_bench <module> <port>``: serve bench/apps/<module>.py (CPython or MicroPython)."""
import sys

module = __import__(sys.argv[1])
print('serving', sys.argv[1], 'on', sys.argv[2])
module.serve(int(sys.argv[2]))
