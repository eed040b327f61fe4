#ifndef GOPROBE_LIB_GODB_GODB_PROTO_H_
#define GOPROBE_LIB_GODB_GODB_PROTO_H_

// Conversions between goDB's records and the goprobe.v1 wire messages.

#include "lib/godb/block.h"
#include "lib/godb/interface_summary.h"
#include "lib/host/host_identity.h"
#include "proto/goprobe/v1/flow.pb.h"

namespace goprobe::godb {

CaptureStats CaptureStatsFromProto(const v1::CaptureStats& msg);
void CaptureStatsToProto(const CaptureStats& stats, v1::CaptureStats* out);

// `summary` of an interface of the host `host`.
void InterfaceSummaryToProto(const InterfaceSummary& summary, const host::HostIdentity& host,
                             v1::InterfaceSummary* out);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_GODB_PROTO_H_
