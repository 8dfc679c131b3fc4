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
  OutputFile out(path, data.size(), OutputWrite::kFromCaller);
  out.Commit(data.data());
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
    : path_(path), size_(size) {
  Open();
  if (size_ == 0 || how == OutputWrite::kFromCaller ||
      (how == OutputWrite::kInPlace && tmp_.size() != 0 && MapInPlace())) {
    return;
  }
  data_ = new (std::nothrow) uint8_t[size_];
  if (data_ == nullptr) {
    Discard();
    throw ToolError(path_, "out of memory for " + std::to_string(size_) + " bytes");
  }
}

// A regular file (or none yet) is written as a temporary file next to it,
// so that the rename into place stays within one file system: created
// with O_EXCL under a name of its own (mkstemp), never one that could be
// a link someone else left there, then given the mode a new file would
// get. Anything else -- a device such as /dev/null, a pipe, standard
// output as "-" or /dev/stdout -- is written to as it is: it cannot be
// renamed over, and replacing it with a file would be wrong.
void OutputFile::Open() {
  if (path_ == "-") {
    fd_ = dup(STDOUT_FILENO);
    if (fd_ < 0) throw ToolError(path_, "cannot write to standard output: " + ErrnoText());
    return;
  }
  struct stat st;
  if (stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) throw ToolError(path_, "is a directory");
    fd_ = open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) throw ToolError(path_, "cannot open: " + ErrnoText());
    return;
  }
  std::string tmpl = path_ + ".XXXXXX";
  fd_ = mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd_ < 0) throw ToolError(path_, "cannot create: " + ErrnoText());
  tmp_ = tmpl;
  const mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd_, 0666 & ~mask) != 0) {
    const std::string why = "cannot set its mode: " + ErrnoText();
    Discard();
    throw ToolError(path_, why);
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

void OutputFile::Commit(const uint8_t* bytes) {
  std::string why;
  if (!mapped_) {
    const uint8_t* from = bytes != nullptr ? bytes : data_;
    for (size_t done = 0; done < size_ && why.empty();) {
      ssize_t n = write(fd_, from + done, size_ - done);
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
  // On disk before it takes the name: after a crash the output is the old
  // file or the whole new one, never an empty one (a kernel hook writes
  // into /boot).
  if (why.empty() && !tmp_.empty() && fsync(fd_) != 0) why = "write error: " + ErrnoText();
  // close() reports what the file system could not write back (NFS).
  if (close(fd_) != 0 && why.empty()) why = "write error: " + ErrnoText();
  fd_ = -1;
  if (why.empty() && !tmp_.empty() && std::rename(tmp_.c_str(), path_.c_str()) != 0) {
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
