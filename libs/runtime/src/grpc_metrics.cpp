#include "switchboard/runtime/grpc_metrics.hpp"

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <string>
#include <vector>

namespace switchboard::runtime {

namespace {

const char* CodeName(grpc::StatusCode code) {
    switch (code) {
        case grpc::StatusCode::OK: return "OK";
        case grpc::StatusCode::CANCELLED: return "CANCELLED";
        case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
        case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
        case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
        case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
        case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
        case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
        case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
        case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
        case grpc::StatusCode::ABORTED: return "ABORTED";
        case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
        case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
        case grpc::StatusCode::INTERNAL: return "INTERNAL";
        case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
        case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
        case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
        default: return "OTHER";
    }
}

class Timing final : public grpc::experimental::Interceptor {
public:
    Timing(std::string method, prometheus::Family<prometheus::Histogram>& family)
        : method_(std::move(method)), family_(family), started_(std::chrono::steady_clock::now()) {}

    void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
        if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
            static const prometheus::Histogram::BucketBoundaries kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                                          0.05,   0.1,   0.25,   0.5,   1,    2.5};
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
            family_.Add({{"method", method_}, {"code", CodeName(methods->GetSendStatus().error_code())}}, kBuckets)
                .Observe(seconds);
        }
        methods->Proceed();
    }

private:
    std::string method_;
    prometheus::Family<prometheus::Histogram>& family_;
    std::chrono::steady_clock::time_point started_;
};

class TimingFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
public:
    explicit TimingFactory(prometheus::Family<prometheus::Histogram>& family) : family_(family) {}
    grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
        return new Timing(info->method() != nullptr ? info->method() : "unknown", family_);
    }

private:
    prometheus::Family<prometheus::Histogram>& family_;
};

}  // namespace

void InstrumentGrpc(grpc::ServerBuilder& builder, prometheus::Registry& registry) {
    auto& family = prometheus::BuildHistogram()
                       .Name("switchboard_grpc_request_seconds")
                       .Help("gRPC calls handled, by method and status code: from the call's start to its status")
                       .Register(registry);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(std::make_unique<TimingFactory>(family));
    builder.experimental().SetInterceptorCreators(std::move(factories));
}

}  // namespace switchboard::runtime
