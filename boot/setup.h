// The real-mode setup's parts and the objects they share. SetupMain
// (boot/main.cpp) calls them in the order Linux's arch/x86/boot/main.c
// does; each one lives in the file named after its BIOS service.
#pragma once

#include <stdint.h>

#include "boot-params.h"
#include "message.h"
#include "stage-params.h"

namespace bzelf::setup {

// The zero page handed to the protected-mode code (boot/main.cpp).
extern linuxboot::boot_params zero_page;

void CopyBootParams();                    // main.cpp
void CheckCpu(uint8_t kernel_class, uint32_t isa_needed);  // cpu.cpp
void DetectMemory();                      // e820.cpp
void LoadFromDisk();                      // disk.cpp: direct boot only
void VerifyStage(uint32_t code32_start);  // verify-stage.cpp
void InitKeyboard();                      // keyboard.cpp
void QueryVideo();                        // video.cpp
void EnableA20();                         // a20.cpp
[[noreturn]] void GoProtectedMode();      // pm.cpp

// Console output for the panic path (tty.cpp).
void SerialPutc(char c);  // COM1, set up on first use
void BiosPutc(char c);    // the BIOS teletype
// Text for the emulators' debug console, port 0xE9, when one is there
// (debugcon.cpp).
void DebugConsolePrint(const char* text);

// Prints "bzelf: <what>: <detail> -- System halted" (lib/message.h's
// WritePanicLine) on COM1 and the screen, then halts for good (panic.cpp).
[[noreturn]] void Panic(const char* what, const char* detail);
[[noreturn]] inline void Panic(const char* what, const Message& detail) {
  Panic(what, detail.c_str());
}

}  // namespace bzelf::setup

// boot/header.S.
extern "C" bzelf::linuxboot::setup_header hdr;
// The old command-line protocol's words at offsets 0x20 and 0x22 of the
// boot sector (boot.rst, "The old command-line protocol").
extern "C" volatile uint16_t cl_magic;
extern "C" volatile uint16_t cl_offset;
// Set when a BIOS booted the image directly and our boot sector loaded its
// first 4 KiB (boot/header.S, direct_boot_entry): 1, and the BIOS drive.
extern "C" volatile uint8_t bootsect_loaded;
extern "C" volatile uint8_t bootsect_drive;
// The rest of the setup from the boot drive, on the direct-boot path
// (disk.cpp); header.S calls it before checking the setup's signature.
extern "C" void LoadSetupRest();
// Filled in by `bzelf build` (boot/main.cpp).
extern "C" bzelf::SetupParams bzelf_setup_params;
