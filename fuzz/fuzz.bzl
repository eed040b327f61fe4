"""cc_fuzz_target: a libFuzzer binary and a test that runs it briefly."""

def fuzz_only():
    """target_compatible_with for targets that build only under --config=fuzz."""
    return select({
        "//fuzz:fuzzing": [],
        "//conditions:default": ["//fuzz:fuzz_config_only"],
    })

def cc_fuzz_target(
        name,
        srcs,
        deps,
        seeds = [],
        seed_generator = None,
        seed_generator_args = [],
        data = [],
        dict = None,
        max_len = 4096,
        seconds = 60):
    """A libFuzzer target `name` and the test `name + "_run"`.

    The binary defines only LLVMFuzzerTestOneInput; libFuzzer supplies main.
    The test (run_fuzzer.sh) builds a corpus in its temporary directory from
    `seeds` (files; a `.lines` file gives one seed per line) and from what
    `seed_generator` writes when run as `GENERATOR OUT_DIR ARGS...`, then fuzzes
    for `seconds`. Any crash, leak, sanitizer finding or timeout fails it.
    """
    native.cc_binary(
        name = name,
        srcs = srcs,
        deps = deps + ["//fuzz:check"],
        linkopts = ["-fsanitize=fuzzer"],
        target_compatible_with = fuzz_only(),
    )
    args = [
        "$(rootpath :%s)" % name,
        str(seconds),
        str(max_len),
        "$(rootpath %s)" % dict if dict else "-",
        "$(rootpath %s)" % seed_generator if seed_generator else "-",
    ] + seed_generator_args + ["--"] + ["$(rootpaths %s)" % s for s in seeds]
    native.sh_test(
        name = name + "_run",
        size = "medium",
        srcs = ["//fuzz:run_fuzzer.sh"],
        args = args,
        data = [":" + name] + seeds + data + ([dict] if dict else []) +
               ([seed_generator] if seed_generator else []),
        tags = ["fuzz"],
        target_compatible_with = fuzz_only(),
    )
