"""Keep only the named x86 CPU variants in llama.cpp's GGML_CPU_ALL_VARIANTS list.

Usage: python llama_variants.py ggml/src/CMakeLists.txt x64 haswell ...

Each kept line is llama.cpp's own (its feature flags unchanged); a name that the file does not
define, or a file whose x86 list is not where it was, stops the build with a one-line error.
"""

import re
import sys
from pathlib import Path


def main(path: Path, keep: list[str]) -> None:
    text = path.read_text()
    start = text.find('if (GGML_SYSTEM_ARCH STREQUAL "x86")\n        ggml_add_cpu_backend_variant(x64)')
    end = text.find('elseif(GGML_SYSTEM_ARCH STREQUAL "ARM")', start)
    if start < 0 or end < 0:
        sys.exit(f"error: {path}: llama.cpp's x86 variant list not found; update scripts/llama_variants.py")
    block = text[start:end]
    found = {m.group(1): m.group(0) for m in re.finditer(r"ggml_add_cpu_backend_variant\((\w+)[^)]*\)", block)}
    missing = [name for name in keep if name not in found]
    if missing:
        sys.exit(f"error: {path} defines no CPU variant {', '.join(missing)} (it has {', '.join(found)})")
    lines = "".join(f"        {found[name]}\n" for name in keep)
    new = 'if (GGML_SYSTEM_ARCH STREQUAL "x86")\n' + lines + "    "
    path.write_text(text[:start] + new + text[end:])
    print(f"llama.cpp CPU variants: {' '.join(keep)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
