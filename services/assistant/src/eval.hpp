#pragma once

namespace switchboard::assistant {

// `assistant eval --kb KB.jsonl --cases TEST.jsonl [--tune-on VAL.jsonl | --threshold T]`
// Runs the answering engine offline over labelled cases and prints one JSON object with the
// quality numbers (see README "Assistant quality"). Returns the process exit code.
int RunEval(int argc, char** argv);

// `assistant gaps [--server HOST:PORT] [--limit N] [--lang L]`: prints the clusters of questions
// the assistant handed off (AssistantService.ListGaps), largest first. Returns the exit code.
int RunGaps(int argc, char** argv);

}  // namespace switchboard::assistant
