#include "common.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>

namespace bzelf {
namespace {

// Where an output is written before it is renamed into place: next to
// it, so that the rename stays within one file system.
std::string TemporaryPath(const std::string& path) { return path + ".tmp-bzelf"; }

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolError(path, std::string("cannot open: ") + std::strerror(errno));
  Bytes data;
  try {
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    // libstdc++'s filebuf throws when read() fails (EISDIR for a directory).
    throw ToolError(path, std::string("cannot read: ") + std::strerror(errno));
  }
  if (in.bad()) throw ToolError(path, "read error");
  return data;
}

void WriteFileAtomically(const std::string& path, const Bytes& data) {
  std::string tmp = TemporaryPath(path);
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw ToolError(path, std::string("cannot create: ") + std::strerror(errno));
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = (std::fflush(f) == 0) && ok;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    int err = errno;
    std::remove(tmp.c_str());
    throw ToolError(path, std::string("write error: ") + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw ToolError(path, std::string("cannot rename into place: ") + std::strerror(err));
  }
}

std::string HexString(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

InputFile::InputFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    // MAP_POPULATE: the whole file is read, so map it all at once rather
    // than a page fault at a time.
    void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                   MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p != MAP_FAILED) {
      data_ = static_cast<const uint8_t*>(p);
      size_ = static_cast<size_t>(st.st_size);
      mapped_ = true;
    }
  }
  if (fd >= 0) close(fd);
  if (!mapped_) {
    read_ = ReadFile(path);
    data_ = read_.data();
    size_ = read_.size();
  }
}

InputFile::~InputFile() {
  if (mapped_) munmap(const_cast<uint8_t*>(data_), size_);
}

OutputFile::OutputFile(const std::string& path, size_t size, OutputWrite how)
    : path_(path), tmp_(TemporaryPath(path)), size_(size) {
  fd_ = open(tmp_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd_ < 0) throw ToolError(path_, "cannot create: " + ErrnoText());
  if (size_ == 0 || (how == OutputWrite::kInPlace && MapInPlace())) return;
  data_ = new (std::nothrow) uint8_t[size_];
  if (data_ == nullptr) {
    Discard();
    throw ToolError(path_, "out of memory for " + std::to_string(size_) + " bytes");
  }
}

// Reserves and maps the file; false where its file system can do neither
// (EOPNOTSUPP from fallocate, ENODEV from mmap), an error otherwise.
bool OutputFile::MapInPlace() {
  std::string problem;
  if (fallocate(fd_, 0, 0, static_cast<off_t>(size_)) != 0) {
    if (errno == EOPNOTSUPP || errno == ENOSYS) return false;
    problem = "cannot reserve ";
  } else {
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (p != MAP_FAILED) {
      data_ = static_cast<uint8_t*>(p);
      mapped_ = true;
      // Every page is going to be written: fault them all in with one
      // call rather than one fault each. A hint only (Linux 5.14 on;
      // the space is reserved already), so its failure is not one.
#ifdef MADV_POPULATE_WRITE
      madvise(p, size_, MADV_POPULATE_WRITE);
#endif
      return true;
    }
    if (errno == ENODEV) return false;
    problem = "cannot map ";
  }
  problem += std::to_string(size_) + " bytes: " + ErrnoText();
  Discard();
  throw ToolError(path_, problem);
}

OutputFile::~OutputFile() { Discard(); }

void OutputFile::Commit() {
  std::string why;
  if (!mapped_) {
    for (size_t done = 0; done < size_ && why.empty();) {
      ssize_t n = write(fd_, data_ + done, size_ - done);
      if (n > 0) {
        done += static_cast<size_t>(n);
      } else if (n == 0) {
        why = "write error: nothing written";
      } else if (errno != EINTR) {
        why = "write error: " + ErrnoText();
      }
    }
  } else if (munmap(data_, size_) != 0) {
    why = "write error: " + ErrnoText();
  }
  if (mapped_) data_ = nullptr;
  // close() reports what the file system could not write back (NFS).
  if (close(fd_) != 0 && why.empty()) why = "write error: " + ErrnoText();
  fd_ = -1;
  if (why.empty() && std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    why = "cannot rename into place: " + ErrnoText();
  }
  if (!why.empty()) {
    Discard();
    throw ToolError(path_, why);
  }
  tmp_.clear();
}

// Releases what is held and removes the temporary file, if any.
void OutputFile::Discard() {
  if (data_ != nullptr) {
    if (mapped_) munmap(data_, size_);
    else delete[] data_;
    data_ = nullptr;
  }
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  if (!tmp_.empty()) std::remove(tmp_.c_str());
  tmp_.clear();
}

}  // namespace bzelf
