#include "lib/query/condition_row_selector.h"

#include <cassert>
#include <utility>
#include <vector>

#include "lib/query/condition_evaluator.h"
#include "lib/query/condition_normalizer.h"
#include "lib/query/row_selection.h"

namespace goprobe::query {

namespace {

class ConditionRowSelector final : public RowSelector {
 public:
  explicit ConditionRowSelector(ConditionEvaluator evaluator) : evaluator_(std::move(evaluator)) {}

  godb::ColumnSet columns() const override { return evaluator_.columns(); }

  void Select(const godb::BlockColumns& block, std::vector<uint32_t>* rows) const override {
    // One bitmap and scratch space per scanning thread, shared by every
    // selector that thread runs: the evaluator itself stays immutable.
    thread_local RowSelection selection;
    rows->clear();
    const absl::Status status = evaluator_.Evaluate(block, &selection);
    // RowSelector's contract is that the block holds columns(); a block that
    // does not is an engine bug, and selecting nothing beats reading past a
    // column's end.
    assert(status.ok());
    if (!status.ok()) return;
    selection.AppendRows(rows);
  }

 private:
  ConditionEvaluator evaluator_;
};

}  // namespace

absl::StatusOr<CompiledCondition> CompileCondition(absl::string_view text) {
  absl::StatusOr<NormalizedCondition> normal = PrepareCondition(text);
  if (!normal.ok()) return normal.status();
  CompiledCondition out;
  out.direction = normal->direction;
  out.text = ToString(*normal);
  if (normal->rows) {
    absl::StatusOr<ConditionEvaluator> evaluator = ConditionEvaluator::Compile(*normal->rows);
    if (!evaluator.ok()) return evaluator.status();
    out.rows = std::make_shared<const ConditionRowSelector>(*std::move(evaluator));
  }
  return out;
}

}  // namespace goprobe::query
