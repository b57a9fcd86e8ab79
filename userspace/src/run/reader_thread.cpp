#include "irqbridge/run/reader_thread.hpp"

#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "irqbridge/sys/error.hpp"

namespace irqbridge {

namespace {

// pthread_attr_t as an owned value: destroyed on every path.
class ThreadAttr {
 public:
  explicit ThreadAttr(std::size_t stack_bytes) {
    if (const int err = ::pthread_attr_init(&attr_); err != 0)
      throw Error(std::string("pthread_attr_init: ") + std::strerror(err));
    if (const int err = ::pthread_attr_setstacksize(&attr_, stack_bytes); err != 0) {
      ::pthread_attr_destroy(&attr_);
      throw Error("reader thread stack of " + std::to_string(stack_bytes) +
                  " bytes: " + std::strerror(err));
    }
  }
  ThreadAttr(const ThreadAttr&) = delete;
  ThreadAttr& operator=(const ThreadAttr&) = delete;
  ThreadAttr(ThreadAttr&&) = delete;
  ThreadAttr& operator=(ThreadAttr&&) = delete;
  ~ThreadAttr() { ::pthread_attr_destroy(&attr_); }
  const pthread_attr_t* get() const { return &attr_; }

 private:
  pthread_attr_t attr_{};
};

void* trampoline(void* arg) noexcept {
  const std::unique_ptr<std::function<void()>> fn(static_cast<std::function<void()>*>(arg));
  (*fn)();
  return nullptr;
}

}  // namespace

ReaderThread::ReaderThread(std::function<void()> fn, std::size_t stack_bytes) {
  const ThreadAttr attr(stack_bytes);
  auto owned = std::make_unique<std::function<void()>>(std::move(fn));
  if (const int err = ::pthread_create(&id_, attr.get(), trampoline, owned.get()); err != 0)
    throw Error(std::string("cannot start a reader thread: ") + std::strerror(err));
  static_cast<void>(owned.release());  // the thread owns it now
  joinable_ = true;
}

ReaderThread::ReaderThread(ReaderThread&& other) noexcept
    : id_(other.id_), joinable_(std::exchange(other.joinable_, false)) {}

ReaderThread& ReaderThread::operator=(ReaderThread&& other) noexcept {
  if (this != &other) {
    join();
    id_ = other.id_;
    joinable_ = std::exchange(other.joinable_, false);
  }
  return *this;
}

ReaderThread::~ReaderThread() { join(); }

void ReaderThread::join() {
  if (joinable_) {
    ::pthread_join(id_, nullptr);
    joinable_ = false;
  }
}

}  // namespace irqbridge
