#include "services/probe/block_writer.h"

#include "spdlog/spdlog.h"

namespace goprobe::probe {

BlockWriter::BlockWriter(BlockSink* sink) : sink_(sink), thread_([this] { Run(); }) {}

BlockWriter::~BlockWriter() { Close(); }

void BlockWriter::Submit(const std::string& iface, ClosedWindow window) {
  absl::MutexLock lock(&mu_);
  queue_.emplace_back(iface, std::move(window));
}

void BlockWriter::Close() {
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

uint64_t BlockWriter::written() const {
  absl::MutexLock lock(&mu_);
  return written_;
}

uint64_t BlockWriter::failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

void BlockWriter::Run() {
  Block block;  // reused: rows keep their capacity
  for (;;) {
    std::pair<std::string, ClosedWindow> item;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](BlockWriter* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu_) {
            return !w->queue_.empty() || w->closing_;
          },
          this));
      if (queue_.empty()) return;  // closing, and everything is written
      item = std::move(queue_.front());
      queue_.pop_front();
    }
    block.iface = item.first;
    block.block_time = item.second.block_time;
    block.stats = item.second.stats;
    block.rows.clear();
    item.second.flows->Drain(&block.rows);
    item.second.flows.reset();
    const absl::Status s = sink_->Write(block);
    absl::MutexLock lock(&mu_);
    if (s.ok()) {
      ++written_;
      spdlog::debug("{}: block {} written: {} flows, {} packets", block.iface, block.block_time,
                    block.rows.size(), block.stats.packets);
    } else {
      ++failed_;
      spdlog::error("{}: block {} lost: {}", block.iface, block.block_time, std::string(s.message()));
    }
  }
}

}  // namespace goprobe::probe
