#include "fake_thread_store.hpp"
#include "thread_store_contract.hpp"

namespace switchboard::gateway_email {
namespace {

struct Fake {
    static std::unique_ptr<ThreadStore> Make() { return std::make_unique<FakeThreadStore>(); }
};
INSTANTIATE_TYPED_TEST_SUITE_P(Fake, ThreadStoreContract, Fake);

}  // namespace
}  // namespace switchboard::gateway_email
