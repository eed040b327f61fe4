"""C++ code generation for .proto files with Debian's protoc and grpc_cpp_plugin.

Bazel 4's proto_library wants @com_google_protobuf built from source, which an
offline build cannot fetch; the system compiler generates the same code, and
the generated code links against the system libprotobuf it was made for.
"""

def cc_grpc_proto_library(name, srcs, deps = [], grpc_srcs = [], visibility = None):
    """Generates and compiles messages for `srcs` and gRPC stubs for `grpc_srcs`.

    Args:
      name: the cc_library to create.
      srcs: .proto files in this package.
      deps: other cc_grpc_proto_library targets whose .proto files these import.
      grpc_srcs: the subset of srcs that declare services.
      visibility: passed to the cc_library.
    """
    pkg = native.package_name()
    hdrs = []
    cc_srcs = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs = [base + ".pb.h", base + ".pb.cc"]
        plugin = ""
        grpc_out = ""
        if src in grpc_srcs:
            outs += [base + ".grpc.pb.h", base + ".grpc.pb.cc"]
            plugin = "--plugin=protoc-gen-grpc=/usr/bin/grpc_cpp_plugin"
            grpc_out = "--grpc_out=$(GENDIR)"
        native.genrule(
            name = name + "_" + base.replace("/", "_") + "_gen",
            srcs = [src] + [d + "_protos" for d in deps] + [":" + name + "_protos"],
            outs = outs,
            cmd = " ".join([
                "protoc",
                "-I.",
                "-I/usr/include",
                "--cpp_out=$(GENDIR)",
                grpc_out,
                plugin,
                pkg + "/" + src,
            ]),
        )
        hdrs += [o for o in outs if o.endswith(".h")]
        cc_srcs += [o for o in outs if o.endswith(".cc")]

    native.filegroup(
        name = name + "_protos",
        srcs = srcs,
        visibility = visibility,
    )
    native.cc_library(
        name = name,
        srcs = cc_srcs,
        hdrs = hdrs,
        deps = deps + ["@protobuf", "@grpc", "@absl"],
        visibility = visibility,
    )
