#include "errors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace switchboard::kafka {
namespace {

using std::chrono::milliseconds;

TEST(RetryBackoff, DoublesFrom100msAndCapsAt5s) {
    EXPECT_EQ(RetryBackoff(0), milliseconds(100));
    EXPECT_EQ(RetryBackoff(1), milliseconds(200));
    EXPECT_EQ(RetryBackoff(2), milliseconds(400));
    EXPECT_EQ(RetryBackoff(5), milliseconds(3200));
    EXPECT_EQ(RetryBackoff(6), milliseconds(5000));
    EXPECT_EQ(RetryBackoff(1000), milliseconds(5000));
}

TEST(IsRetryable, TransientFailuresAreRetryable) {
    for (rd_kafka_resp_err_t err :
         {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
          RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
          RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
          RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART}) {
        EXPECT_TRUE(IsRetryable(err)) << rd_kafka_err2name(err);
    }
}

TEST(IsRetryable, PermanentFailuresAreNot) {
    for (rd_kafka_resp_err_t err :
         {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR__FATAL,
          RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR__INVALID_ARG,
          RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION}) {
        EXPECT_FALSE(IsRetryable(err)) << rd_kafka_err2name(err);
    }
}

TEST(ToError, SaysWhatFailedAndWhy) {
    const Error e = ToError(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, "kafka: delivery to t failed");
    EXPECT_TRUE(e.retryable);
    EXPECT_THAT(e.message, ::testing::StartsWith("kafka: delivery to t failed: "));
    EXPECT_THAT(e.message, ::testing::HasSubstr("_MSG_TIMED_OUT"));
}

}  // namespace
}  // namespace switchboard::kafka
