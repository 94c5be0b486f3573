#pragma once

namespace switchboard::assistant {

// `assistant eval --kb KB.jsonl --cases TEST.jsonl [--tune-on VAL.jsonl | --threshold T]`
// Runs the answering engine offline over labelled cases and prints one JSON object with the
// quality numbers (see README "Assistant quality"). Returns the process exit code.
int RunEval(int argc, char** argv);

}  // namespace switchboard::assistant
