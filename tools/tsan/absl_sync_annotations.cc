// Makes Debian's absl::Mutex, absl::CondVar and absl::Notification visible
// to ThreadSanitizer. Linked into every binary of `--config=tsan` (through
// --custom_malloc, the one hook Bazel 4 has for adding a library to all of
// them); never part of any other build.
//
// Why: Debian's libabsl_synchronization is not built with -fsanitize=thread,
// so its lock and wait operations are invisible to TSan, and every access
// guarded by an absl::Mutex in our code would be reported as a race. This
// file defines the public entry points itself. The executable's definitions
// take precedence over the shared library's, so our code calls these; each
// tells TSan what it is about to do (the same __tsan_mutex_* annotations
// abseil makes when it is built with TSan) and then calls the library's
// original, found with dlsym(RTLD_NEXT).
//
// Covered: Mutex (Lock, Unlock, ReaderLock, ReaderUnlock, TryLock,
// ReaderTryLock, LockWhen*, ReaderLockWhen*, Await*), CondVar::Wait*, and
// Notification::Notify / WaitForNotification*. Not covered:
// Notification::HasBeenNotified(), which is inline and reads an atomic the
// library writes; code that polls it instead of waiting is not synchronised
// in TSan's eyes. Await and CondVar waits assume the mutex is held for
// writing, as our code always does.

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/base/options.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#define GOPROBE_STR2(x) #x
#define GOPROBE_STR(x) GOPROBE_STR2(x)

namespace {

// The library's own definition of a member function, by its mangled name
// without the "_ZN[K]4absl<len><inline namespace>" prefix, which is derived
// from the abseil headers in use.
void* Original(const char* rest, bool is_const) {
  const char* ns = GOPROBE_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  std::string name =
      std::string("_ZN") + (is_const ? "K" : "") + "4absl" + std::to_string(strlen(ns)) + ns + rest;
  void* fn = dlsym(RTLD_NEXT, name.c_str());
  if (fn == nullptr) {
    fprintf(stderr, "absl_sync_annotations: %s not found in libabsl_synchronization\n",
            name.c_str());
    abort();
  }
  return fn;
}

template <typename Fn>
Fn Get(const char* rest, bool is_const = false) {
  return reinterpret_cast<Fn>(Original(rest, is_const));
}

constexpr unsigned kRead = __tsan_mutex_read_lock;
constexpr unsigned kTry = __tsan_mutex_try_lock;
constexpr unsigned kTryFailed = __tsan_mutex_try_lock_failed;

// The library's functions call one another through these same wrappers
// (AwaitWithTimeout calls AwaitWithDeadline, WaitWithTimeout calls
// WaitWithDeadline): only the outermost call of a thread may tell TSan, or
// it sees a lock released twice.
thread_local int nesting = 0;
struct Scope {
  const bool outer;
  Scope() : outer(nesting++ == 0) {}
  ~Scope() { --nesting; }
};

// Wraps a call that releases `mu` while it waits and holds it again after.
template <typename Call>
auto Waiting(bool annotate, absl::Mutex* mu, Call call) {
  if (annotate) __tsan_mutex_pre_unlock(mu, 0);
  auto result = call();
  if (annotate) {
    __tsan_mutex_post_unlock(mu, 0);
    __tsan_mutex_pre_lock(mu, 0);
    __tsan_mutex_post_lock(mu, 0, 0);
  }
  return result;
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  Scope scope;
  static auto fn = Get<void (*)(Mutex*)>("5Mutex4LockEv");
  if (scope.outer) __tsan_mutex_pre_lock(this, 0);
  fn(this);
  if (scope.outer) __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::ReaderLock() {
  Scope scope;
  static auto fn = Get<void (*)(Mutex*)>("5Mutex10ReaderLockEv");
  if (scope.outer) __tsan_mutex_pre_lock(this, kRead);
  fn(this);
  if (scope.outer) __tsan_mutex_post_lock(this, kRead, 0);
}

void Mutex::Unlock() {
  Scope scope;
  static auto fn = Get<void (*)(Mutex*)>("5Mutex6UnlockEv");
  if (scope.outer) __tsan_mutex_pre_unlock(this, 0);
  fn(this);
  if (scope.outer) __tsan_mutex_post_unlock(this, 0);
}

void Mutex::ReaderUnlock() {
  Scope scope;
  static auto fn = Get<void (*)(Mutex*)>("5Mutex12ReaderUnlockEv");
  if (scope.outer) __tsan_mutex_pre_unlock(this, kRead);
  fn(this);
  if (scope.outer) __tsan_mutex_post_unlock(this, kRead);
}

bool Mutex::TryLock() {
  Scope scope;
  static auto fn = Get<bool (*)(Mutex*)>("5Mutex7TryLockEv");
  if (scope.outer) __tsan_mutex_pre_lock(this, kTry);
  bool locked = fn(this);
  if (scope.outer) __tsan_mutex_post_lock(this, kTry | (locked ? 0 : kTryFailed), 0);
  return locked;
}

bool Mutex::ReaderTryLock() {
  Scope scope;
  static auto fn = Get<bool (*)(Mutex*)>("5Mutex13ReaderTryLockEv");
  if (scope.outer) __tsan_mutex_pre_lock(this, kRead | kTry);
  bool locked = fn(this);
  if (scope.outer) __tsan_mutex_post_lock(this, kRead | kTry | (locked ? 0 : kTryFailed), 0);
  return locked;
}

void Mutex::LockWhen(const Condition& cond) {
  Scope scope;
  static auto fn = Get<void (*)(Mutex*, const Condition&)>("5Mutex8LockWhenERKNS0_9ConditionE");
  if (scope.outer) __tsan_mutex_pre_lock(this, 0);
  fn(this, cond);
  if (scope.outer) __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  Scope scope;
  static auto fn =
      Get<void (*)(Mutex*, const Condition&)>("5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  if (scope.outer) __tsan_mutex_pre_lock(this, kRead);
  fn(this, cond);
  if (scope.outer) __tsan_mutex_post_lock(this, kRead, 0);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  Scope scope;
  static auto fn = Get<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  if (scope.outer) __tsan_mutex_pre_lock(this, 0);
  bool met = fn(this, cond, timeout);
  if (scope.outer) __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  Scope scope;
  static auto fn = Get<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  if (scope.outer) __tsan_mutex_pre_lock(this, 0);
  bool met = fn(this, cond, deadline);
  if (scope.outer) __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  Scope scope;
  static auto fn = Get<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  if (scope.outer) __tsan_mutex_pre_lock(this, kRead);
  bool met = fn(this, cond, timeout);
  if (scope.outer) __tsan_mutex_post_lock(this, kRead, 0);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  Scope scope;
  static auto fn = Get<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  if (scope.outer) __tsan_mutex_pre_lock(this, kRead);
  bool met = fn(this, cond, deadline);
  if (scope.outer) __tsan_mutex_post_lock(this, kRead, 0);
  return met;
}

void Mutex::Await(const Condition& cond) {
  Scope scope;
  static auto fn = Get<void (*)(Mutex*, const Condition&)>("5Mutex5AwaitERKNS0_9ConditionE");
  Waiting(scope.outer, this, [&] {
    fn(this, cond);
    return 0;
  });
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  Scope scope;
  static auto fn = Get<bool (*)(Mutex*, const Condition&, absl::Duration)>(
      "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  return Waiting(scope.outer, this, [&] { return fn(this, cond, timeout); });
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  Scope scope;
  static auto fn = Get<bool (*)(Mutex*, const Condition&, absl::Time)>(
      "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  return Waiting(scope.outer, this, [&] { return fn(this, cond, deadline); });
}

void CondVar::Wait(Mutex* mu) {
  Scope scope;
  static auto fn = Get<void (*)(CondVar*, Mutex*)>("7CondVar4WaitEPNS0_5MutexE");
  Waiting(scope.outer, mu, [&] {
    fn(this, mu);
    return 0;
  });
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  Scope scope;
  static auto fn = Get<bool (*)(CondVar*, Mutex*, absl::Duration)>(
      "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  return Waiting(scope.outer, mu, [&] { return fn(this, mu, timeout); });
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  Scope scope;
  static auto fn = Get<bool (*)(CondVar*, Mutex*, absl::Time)>(
      "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  return Waiting(scope.outer, mu, [&] { return fn(this, mu, deadline); });
}

void Notification::Notify() {
  Scope scope;
  static auto fn = Get<void (*)(Notification*)>("12Notification6NotifyEv");
  if (scope.outer) __tsan_release(this);
  fn(this);
}

void Notification::WaitForNotification() const {
  Scope scope;
  static auto fn =
      Get<void (*)(const Notification*)>("12Notification19WaitForNotificationEv", true);
  fn(this);
  if (scope.outer) __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(absl::Duration timeout) const {
  Scope scope;
  static auto fn = Get<bool (*)(const Notification*, absl::Duration)>(
      "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE", true);
  bool notified = fn(this, timeout);
  if (notified && scope.outer) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  Scope scope;
  static auto fn = Get<bool (*)(const Notification*, absl::Time)>(
      "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE", true);
  bool notified = fn(this, deadline);
  if (notified && scope.outer) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl

// TSan's defaults for every test: stop at the first report, and show both
// stacks of a lock-order inversion.
extern "C" const char* __tsan_default_options() {
  return "halt_on_error=1:second_deadlock_stack=1";
}
