#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace switchboard::e2e {

// A service binary run as a child process with extra environment; its output goes to a log file.
class ServiceProcess {
public:
    ServiceProcess(std::string name, std::string binary, std::map<std::string, std::string> env,
                   std::string log_path);
    ~ServiceProcess();
    ServiceProcess(const ServiceProcess&) = delete;
    ServiceProcess& operator=(const ServiceProcess&) = delete;

    // SIGTERM and wait (bounded). Returns the exit status (0 = clean), or -1 if it had to be killed.
    int Terminate(std::chrono::milliseconds grace = std::chrono::seconds(15));
    bool Running();
    // Waits for the process to exit on its own; its exit status, or std::nullopt on timeout.
    std::optional<int> WaitExit(std::chrono::milliseconds timeout);
    std::string LogTail(std::size_t bytes = 4000) const;
    const std::string& name() const { return name_; }

private:
    std::string name_;
    std::string log_path_;
    pid_t pid_ = -1;
};

// A TCP port that was free a moment ago.
std::uint16_t FreePort();

// Polls `condition` every 20 ms until it is true or `timeout` passes.
bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// The value of one sample in Prometheus text format, matched by name and exact label set.
std::optional<double> MetricValue(const std::string& exposition, const std::string& name,
                                  const std::map<std::string, std::string>& labels);

}  // namespace switchboard::e2e
