// A stand-in for libFuzzer's main() where libFuzzer is not available (gcc): runs the target's
// LLVMFuzzerTestOneInput over every file of the corpus directories, then over deterministic
// mutations of them. Without coverage feedback this is a "dumb" mutational fuzzer: it finds
// crashes near the seeds (truncations, broken escapes, wrong types, huge numbers) and keeps them
// found on every ctest run. A crash, an abort (failed FUZZ_CHECK, uncaught exception), a hang
// past --timeout or a sanitizer report ends the process with a non-zero status after printing the
// input in hex, so ctest fails.
//
// Usage: fuzz_<name> [--runs=N] [--seed=S] [--max-len=L] [--timeout=SECONDS] [--verbose]
//                    [--save=FILE] <corpus dir or file>...
//   --runs     mutations after the corpus (default 2000; env SWITCHBOARD_FUZZ_RUNS overrides)
//   --seed     PRNG seed (default 1; env SWITCHBOARD_FUZZ_SEED overrides): same seed, same inputs
//   --max-len  largest mutant in bytes (default: max(4096, 2 x the largest seed))
//   --timeout  seconds one input may take before it counts as a hang (default 10)
//   --save     write the input being run to FILE before running it (slow; for debugging a crash
//              the hex dump cannot show, e.g. one that kills the process outright)
// A file given instead of a directory is run alone — to reproduce a crash: fuzz_<name> crash.bin
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Optional hooks: a target may define LLVMFuzzerInitialize; the sanitizer runtime defines
// __sanitizer_set_death_callback when built with -fsanitize=address/undefined.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" __attribute__((weak)) void __sanitizer_set_death_callback(void (*callback)());

namespace {

using Bytes = std::vector<uint8_t>;

// The input being run, for the crash report. Plain globals: read from signal handlers.
const uint8_t* g_current = nullptr;
size_t g_current_size = 0;
const char* g_current_origin = "";

// Async-signal-safe: write(2) only.
void WriteRaw(const char* s, size_t n) {
    while (n > 0) {
        const ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0) return;
        s += w;
        n -= static_cast<size_t>(w);
    }
}
void WriteStr(const char* s) { WriteRaw(s, std::strlen(s)); }

void DumpCurrentInput() {
    if (g_current == nullptr) return;
    WriteStr("\n==fuzz== crashing input (");
    WriteStr(g_current_origin);
    WriteStr("), ");
    char num[32];
    int len = 0;
    size_t n = g_current_size;
    char rev[32];
    do {
        rev[len++] = static_cast<char>('0' + n % 10);
        n /= 10;
    } while (n > 0);
    for (int i = 0; i < len; ++i) num[i] = rev[len - 1 - i];
    WriteRaw(num, static_cast<size_t>(len));
    WriteStr(" bytes, hex:\n");
    static const char kHex[] = "0123456789abcdef";
    char line[64 * 2 + 1];
    size_t pos = 0;
    for (size_t i = 0; i < g_current_size; ++i) {
        line[pos++] = kHex[g_current[i] >> 4];
        line[pos++] = kHex[g_current[i] & 0xF];
        if (pos == 128) {
            line[pos++] = '\n';
            WriteRaw(line, pos);
            pos = 0;
        }
    }
    if (pos > 0) {
        line[pos++] = '\n';
        WriteRaw(line, pos);
    }
    WriteStr("==fuzz== (reproduce: write the hex to a file, `xxd -r -p hex > crash.bin`, run the target on it)\n");
}

void OnFatalSignal(int sig) {
    WriteStr(sig == SIGALRM ? "\n==fuzz== timeout: the input ran too long (hang?)\n"
                            : "\n==fuzz== fatal signal in the target\n");
    DumpCurrentInput();
    // Re-raise with the default action so the exit status names the signal.
    signal(sig, SIG_DFL);
    if (sig == SIGALRM) _exit(70);
    raise(sig);
}

void OnTerminate() {
    WriteStr("\n==fuzz== std::terminate (uncaught exception?)");
    if (auto e = std::current_exception()) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            WriteStr(": ");
            WriteStr(ex.what());
        } catch (...) {
            WriteStr(": non-std exception");
        }
    }
    WriteStr("\n");
    DumpCurrentInput();
    g_current = nullptr;  // dumped once is enough; abort() comes next
    std::abort();
}

void InstallHandlers() {
    // An alternate stack, so a stack overflow (deep recursion in a parser) is reported too.
    static std::vector<char> alt_stack(1 << 16);
    stack_t ss{};
    ss.ss_sp = alt_stack.data();
    ss.ss_size = alt_stack.size();
    sigaltstack(&ss, nullptr);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM}) {
        struct sigaction sa {};
        sa.sa_handler = OnFatalSignal;
        sa.sa_flags = SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(sig, &sa, nullptr);
    }
    std::set_terminate(OnTerminate);
    if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(DumpCurrentInput);
}

bool ReadFile(const std::string& path, Bytes& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;
}

// Corpus files in name order (deterministic across file systems).
bool LoadCorpus(const std::string& path, std::vector<Bytes>& corpus, std::vector<std::string>& names) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return false;
    std::vector<std::string> files;
    if (S_ISDIR(st.st_mode)) {
        DIR* dir = opendir(path.c_str());
        if (dir == nullptr) return false;
        while (dirent* entry = readdir(dir)) {
            const std::string name = entry->d_name;
            if (name == "." || name == "..") continue;
            const std::string full = path + "/" + name;
            struct stat fst {};
            if (stat(full.c_str(), &fst) == 0 && S_ISREG(fst.st_mode)) files.push_back(full);
        }
        closedir(dir);
        std::sort(files.begin(), files.end());
    } else {
        files.push_back(path);
    }
    for (const auto& f : files) {
        Bytes b;
        if (!ReadFile(f, b)) return false;
        corpus.push_back(std::move(b));
        names.push_back(f);
    }
    return true;
}

// Tokens that matter to the formats we parse (JSON, MIME, SMTP, CSV, Markdown, HTML): inserting
// or overwriting with them reaches far more code than random bytes do.
const std::vector<std::string_view>& Dictionary() {
    static const std::vector<std::string_view> kTokens = {
        "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", "{", "}", "[", "]", ":", ",", "null", "true",
        "false", "-", "0", "-1", "1e999", "9223372036854775807", "-9223372036854775808",
        "18446744073709551616", "0.5", "\"\"", "{}", "[]", "\r\n", "\n", "\r", "\t", " ", "\x00",
        "\xc3\xa9", "\xd0\x9f", "\xf0\x9f\x98\x80", "\xed\xa0\x80", "\xc0\xaf", "\xff", "\xef\xbb\xbf",
        // MIME / mail
        "=?utf-8?B?", "=?koi8-r?Q?", "?=", "=\r\n", "=3D", "=XX", "Content-Type: ", "multipart/mixed",
        "multipart/alternative", "boundary=", "--", "charset=", "Content-Transfer-Encoding: base64",
        "quoted-printable", "From: ", "<a@b>", "@", "Message-ID: ", "References: ", "In-Reply-To: ",
        "message/rfc822", "text/html", "name*=", "''",
        // SMTP
        "\r\n.\r\n", "\r\n..", "MAIL FROM:", "RCPT TO:", "DATA\r\n", "EHLO ", "LHLO ", "RSET\r\n",
        "SIZE=", "BODY=8BITMIME", "QUIT\r\n",
        // CSV / Markdown / HTML
        "\"\"", ",\"", "\",", ";", "## ", "# ", "```", "~~~", "\\## ", "<!-- article: ", " -->", "<br>",
        "<p>", "</p>", "<blockquote>", "</blockquote>", "<div class=\"gmail_quote\">", "</div>", "&amp;",
        "&#", "&#x", ";", "&nbsp;", "<script>", "<!--", "-->", "<", ">", "> ", "-- \n",
        "On Mon, Jan 8, 2024 at 10:02 AM X <a@b> wrote:", "-----Original Message-----",
    };
    return kTokens;
}

class Mutator {
public:
    Mutator(uint64_t seed, size_t max_len) : rng_(seed), max_len_(max_len) {}

    Bytes Mutate(const std::vector<Bytes>& corpus) {
        Bytes b = corpus[Below(corpus.size())];
        const size_t ops = 1 + Below(Chance(4) ? 16 : 4);
        for (size_t i = 0; i < ops; ++i) MutateOnce(b, corpus);
        if (b.size() > max_len_) b.resize(max_len_);
        return b;
    }

private:
    size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng_() % n); }
    bool Chance(size_t one_in) { return Below(one_in) == 0; }
    uint8_t Byte() { return static_cast<uint8_t>(rng_()); }

    // An "interesting" byte: boundaries and the characters parsers branch on.
    uint8_t InterestingByte() {
        static const uint8_t kBytes[] = {0x00, 0x01, 0x7f, 0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0xed, 0xf0, 0xf4,
                                         0xf8, 0xff, '"', '\\', '{', '}', '[', ']', ':', ',', '\r', '\n',
                                         ' ', '.', '-', '=', '<', '>', '#', '@', '0', '9'};
        return kBytes[Below(sizeof(kBytes))];
    }

    void MutateOnce(Bytes& b, const std::vector<Bytes>& corpus) {
        switch (Below(11)) {
            case 0:  // flip a bit
                if (!b.empty()) b[Below(b.size())] ^= static_cast<uint8_t>(1u << Below(8));
                break;
            case 1:  // overwrite a byte
                if (!b.empty()) b[Below(b.size())] = Chance(2) ? Byte() : InterestingByte();
                break;
            case 2: {  // insert bytes (random or interesting, sometimes a run of one byte)
                const size_t at = Below(b.size() + 1);
                const size_t n = 1 + Below(Chance(8) ? 256 : 4);
                const uint8_t fill = InterestingByte();
                const bool run = Chance(2);
                Bytes ins(n);
                for (auto& c : ins) c = run ? fill : Byte();
                b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), ins.begin(), ins.end());
                break;
            }
            case 3: {  // delete a range
                if (b.empty()) break;
                const size_t at = Below(b.size());
                const size_t n = 1 + Below(std::min<size_t>(b.size() - at, Chance(4) ? 256 : 8));
                b.erase(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
                break;
            }
            case 4:  // truncate
                b.resize(Below(b.size() + 1));
                break;
            case 5: {  // splice: a prefix of this one, a suffix of another
                const Bytes& other = corpus[Below(corpus.size())];
                const size_t keep = Below(b.size() + 1);
                const size_t from = Below(other.size() + 1);
                b.resize(keep);
                b.insert(b.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
                break;
            }
            case 6: {  // duplicate a chunk (repeated fields, nesting, many parts)
                if (b.empty()) break;
                const size_t at = Below(b.size());
                const size_t n = 1 + Below(std::min<size_t>(b.size() - at, 512));
                const Bytes chunk(b.begin() + static_cast<std::ptrdiff_t>(at),
                                  b.begin() + static_cast<std::ptrdiff_t>(at + n));
                const size_t times = 1 + Below(Chance(8) ? 64 : 2);
                const size_t where = Below(b.size() + 1);
                for (size_t i = 0; i < times && b.size() < max_len_; ++i)
                    b.insert(b.begin() + static_cast<std::ptrdiff_t>(where), chunk.begin(), chunk.end());
                break;
            }
            case 7: {  // insert a dictionary token
                const auto tok = Dictionary()[Below(Dictionary().size())];
                const size_t at = Below(b.size() + 1);
                b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), tok.begin(), tok.end());
                break;
            }
            case 8: {  // overwrite with a dictionary token
                const auto tok = Dictionary()[Below(Dictionary().size())];
                if (b.size() < tok.size()) break;
                const size_t at = Below(b.size() - tok.size() + 1);
                std::copy(tok.begin(), tok.end(), b.begin() + static_cast<std::ptrdiff_t>(at));
                break;
            }
            case 9: {  // replace an ASCII digit run with a boundary number
                static const char* kNumbers[] = {"0", "-0", "-1", "2147483648", "-2147483649", "4294967296",
                                                 "9223372036854775807", "9223372036854775808",
                                                 "-9223372036854775809", "1e308", "1e-400", "NaN", "1.5"};
                if (b.empty()) break;
                size_t at = Below(b.size());
                while (at < b.size() && (b[at] < '0' || b[at] > '9')) ++at;
                if (at == b.size()) break;
                size_t end = at;
                while (end < b.size() && b[end] >= '0' && b[end] <= '9') ++end;
                const std::string_view num = kNumbers[Below(std::size(kNumbers))];
                b.erase(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(end));
                b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), num.begin(), num.end());
                break;
            }
            default: {  // swap two ranges' order (moves fields, lines, parts around)
                if (b.size() < 4) break;
                const size_t a = Below(b.size() / 2);
                const size_t c = b.size() / 2 + Below(b.size() / 2);
                std::rotate(b.begin() + static_cast<std::ptrdiff_t>(a), b.begin() + static_cast<std::ptrdiff_t>(c),
                            b.end());
                break;
            }
        }
    }

    std::mt19937_64 rng_;
    size_t max_len_;
};

void RunOne(const Bytes& input, const char* origin, unsigned timeout, const std::string& save_path) {
    if (!save_path.empty()) {
        std::ofstream out(save_path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(input.data()), static_cast<std::streamsize>(input.size()));
    }
    // Copy into an exactly-sized heap block so ASan sees reads past the end.
    auto* copy = static_cast<uint8_t*>(std::malloc(input.empty() ? 1 : input.size()));
    if (!input.empty()) std::memcpy(copy, input.data(), input.size());
    g_current = copy;
    g_current_size = input.size();
    g_current_origin = origin;
    alarm(timeout);
    LLVMFuzzerTestOneInput(copy, input.size());
    alarm(0);
    g_current = nullptr;
    std::free(copy);
}

bool ParseFlag(std::string_view arg, std::string_view name, std::string& value) {
    if (arg.substr(0, name.size()) != name) return false;
    value = std::string(arg.substr(name.size()));
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
    unsigned long runs = 2000;
    uint64_t seed = 1;
    size_t max_len = 0;
    unsigned timeout = 10;
    bool verbose = false;
    bool runs_given = false;
    std::string save_path;
    if (const char* env = std::getenv("SWITCHBOARD_FUZZ_RUNS")) runs = std::strtoul(env, nullptr, 10);
    if (const char* env = std::getenv("SWITCHBOARD_FUZZ_SEED")) seed = std::strtoull(env, nullptr, 10);
    std::vector<std::string> paths;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::string v;
        if (ParseFlag(arg, "--runs=", v)) {
            runs_given = true;
            if (std::getenv("SWITCHBOARD_FUZZ_RUNS") == nullptr) runs = std::strtoul(v.c_str(), nullptr, 10);
        } else if (ParseFlag(arg, "--seed=", v)) {
            if (std::getenv("SWITCHBOARD_FUZZ_SEED") == nullptr) seed = std::strtoull(v.c_str(), nullptr, 10);
        } else if (ParseFlag(arg, "--max-len=", v)) {
            max_len = std::strtoul(v.c_str(), nullptr, 10);
        } else if (ParseFlag(arg, "--timeout=", v)) {
            timeout = static_cast<unsigned>(std::strtoul(v.c_str(), nullptr, 10));
        } else if (ParseFlag(arg, "--save=", v)) {
            save_path = v;
        } else if (arg == "--verbose") {
            verbose = true;
        } else if (arg.substr(0, 1) == "-") {
            std::fprintf(stderr, "unknown option %s (see the top of tests/fuzz/driver.cpp)\n", argv[i]);
            return 2;
        } else {
            paths.emplace_back(arg);
        }
    }
    if (paths.empty()) {
        std::fprintf(stderr, "usage: %s [--runs=N] [--seed=S] [--max-len=L] [--timeout=S] <corpus>...\n", argv[0]);
        return 2;
    }

    std::vector<Bytes> corpus;
    std::vector<std::string> names;
    for (const auto& p : paths) {
        if (!LoadCorpus(p, corpus, names)) {
            std::fprintf(stderr, "cannot read corpus %s\n", p.c_str());
            return 2;
        }
    }
    if (corpus.empty()) {
        std::fprintf(stderr, "the corpus is empty: give the target at least one seed file\n");
        return 2;
    }
    size_t largest = 0;
    for (const auto& b : corpus) largest = std::max(largest, b.size());
    if (max_len == 0) max_len = std::max<size_t>(4096, 2 * largest);

    InstallHandlers();
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < corpus.size(); ++i) {
        if (verbose) std::fprintf(stderr, "seed %s\n", names[i].c_str());
        RunOne(corpus[i], names[i].c_str(), timeout, save_path);
    }
    // Only files given (no directory) and no explicit --runs: reproduce mode, run each once.
    bool only_files = true;
    for (const auto& p : paths) {
        struct stat st {};
        if (stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) only_files = false;
    }
    const bool reproduce = only_files && !runs_given;
    Mutator mutator(seed, max_len);
    size_t total_bytes = 0;
    const unsigned long n = reproduce ? 0 : runs;
    for (unsigned long i = 0; i < n; ++i) {
        const Bytes input = mutator.Mutate(corpus);
        total_bytes += input.size();
        RunOne(input, "mutation", timeout, save_path);
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("fuzz: %zu seeds + %lu mutations (seed %llu, max-len %zu, %.1f KiB mutated) in %.2f s: no crash\n",
                corpus.size(), n, static_cast<unsigned long long>(seed), max_len, total_bytes / 1024.0, secs);
    return 0;
}
