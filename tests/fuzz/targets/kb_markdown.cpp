// Knowledge-base import of a markdown file → kb::Import (libs/kb/src/formats.cpp), plus round-trips.
#include "kb_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    return switchboard::fuzz::FuzzKbImport(switchboard::kb::Format::kMarkdown, data, size);
}
