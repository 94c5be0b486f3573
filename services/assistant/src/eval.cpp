#include "eval.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "embedding_file_cache.hpp"
#include "encoder_embedder.hpp"
#include "responder.hpp"
#include "switchboard/kb/article.hpp"
#include "switchboard/kb/text.hpp"

namespace switchboard::assistant {

namespace {

struct Case {
    std::string text;
    std::optional<std::string> expect;  // article id, or nullopt = out of scope
    int line = 0;                       // in its file
};

Result<std::vector<Case>> LoadCases(const std::string& path) {
    std::ifstream f(path);
    if (!f) return Error::Fatal("cannot read cases file " + path);
    std::vector<Case> out;
    std::string line;
    int n = 0;
    while (std::getline(f, line)) {
        ++n;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string() ||
            !j.contains("expect") || !(j["expect"].is_string() || j["expect"].is_null())) {
            return Error::Fatal(path + ": line " + std::to_string(n) +
                                ": expected {\"text\": \"...\", \"expect\": \"<article id>\" | null}");
        }
        if (j["text"].get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos) {
            return Error::Fatal(path + ": line " + std::to_string(n) + ": \"text\" is empty");
        }
        Case c;
        c.line = n;
        c.text = j["text"].get<std::string>();
        if (j["expect"].is_string()) c.expect = j["expect"].get<std::string>();
        out.push_back(std::move(c));
    }
    if (out.empty()) return Error::Fatal(path + ": no cases");
    return out;
}

// A case expecting an article the knowledge base lacks is a typo in its label, not a miss.
Status ExpectKnownArticles(const std::vector<Case>& cases, const std::vector<std::string>& ids,
                           const std::string& path) {
    for (const auto& c : cases) {
        if (c.expect && !std::binary_search(ids.begin(), ids.end(), *c.expect)) {
            return Error::Fatal(path + ": line " + std::to_string(c.line) + ": expects article \"" + *c.expect +
                                "\", which the knowledge base does not have");
        }
    }
    return Status::Ok();
}

// What the engine made of one case, before any threshold: enough to replay any setting.
struct Scored {
    const Case* c;
    std::string lang;  // detected from the text, as the engine does
    // kCourtesy (a greeting or thanks): answered from the knowledge base when confident, else small
    // talk; never a handoff.
    enum class Route { kRetrieval, kCourtesy, kHumanRequest } route;
    std::vector<kb::Match> candidates;
};

struct Metrics {
    int in_scope = 0, oos = 0;
    int in_scope_correct = 0, oos_handed_off = 0, closed_set_correct = 0;
    int answered = 0, answered_correct = 0, answered_oos = 0, handed_off = 0;

    Metrics& operator+=(const Metrics& o) {
        in_scope += o.in_scope, oos += o.oos, in_scope_correct += o.in_scope_correct;
        oos_handed_off += o.oos_handed_off, closed_set_correct += o.closed_set_correct;
        answered += o.answered, answered_correct += o.answered_correct, answered_oos += o.answered_oos;
        handed_off += o.handed_off;
        return *this;
    }

    double InScopeAccuracy() const { return in_scope ? 100.0 * in_scope_correct / in_scope : 0; }
    double OosRecall() const { return oos ? 100.0 * oos_handed_off / oos : 0; }
    double ClosedSet() const { return in_scope ? 100.0 * closed_set_correct / in_scope : 0; }
    double Precision() const { return answered ? 100.0 * answered_correct / answered : 100.0; }
    // Precision if out-of-scope messages made up `oos_share` (0..1) of the traffic instead of
    // their share of these cases: each out-of-scope answer counts as that many.
    // With z > 0, a pessimistic bound instead: the rates of wrong in-scope answers and of
    // out-of-scope answers at the upper end of their one-sided Wilson intervals (z = 1.645: 95%),
    // so that a precision target met on a few hundred cases is not met by luck.
    double PrecisionAt(double oos_share, double z = 0) const {
        if (answered == 0) return 100.0;
        if (in_scope == 0) return Precision();
        const double share = oos_share >= 0 && oos > 0 ? oos_share
                                                       : static_cast<double>(oos) / static_cast<double>(in_scope + oos);
        const double wrong_in_scope = answered - answered_oos - answered_correct;
        const double correct = static_cast<double>(answered_correct) / in_scope;
        const double wrong = WilsonUpper(wrong_in_scope, in_scope, z);
        const double oos_answered = oos > 0 ? WilsonUpper(answered_oos, oos, z) : 0.0;
        const double denom = (1.0 - share) * (correct + wrong) + share * oos_answered;
        return denom > 0 ? 100.0 * (1.0 - share) * correct / denom : 100.0;
    }
    // OOS recall at the lower end of its one-sided Wilson interval (OosRecall() when z = 0).
    double OosRecallAt(double z) const { return oos ? 100.0 * (1.0 - WilsonUpper(oos - oos_handed_off, oos, z)) : 0; }
    // The upper end of the Wilson score interval of k events in n trials (k / n when z = 0).
    static double WilsonUpper(double k, double n, double z) {
        const double p = k / n;
        if (z == 0) return p;
        const double z2n = z * z / n;
        return (p + z2n / 2 + z * std::sqrt(p * (1 - p) / n + z2n / (4 * n))) / (1 + z2n);
    }
};

// What the engine does with one case at `options`, replayed from its scoring by Responder::Decide's
// rules: a confident best article is an answer, a greeting or thanks without one is small talk,
// any other question without one is a handoff, as is a wish for a person.
struct Verdict {
    bool answers = false;
    bool handoff = false;
    std::string top;     // best article, "" if none
    bool right = false;  // in scope: answered with the expected article; out of scope: handed off
};

Verdict Judge(const Scored& s, const Responder::Options& options) {
    using Route = Scored::Route;
    Verdict v;
    const bool searched = s.route == Route::kRetrieval || s.route == Route::kCourtesy;
    v.answers = searched && Responder::Confident(s.candidates, options, s.lang);
    v.handoff = s.route == Route::kHumanRequest || (s.route == Route::kRetrieval && !v.answers);
    v.top = s.candidates.empty() ? "" : s.candidates.front().article->id.str();
    v.right = s.c->expect ? v.answers && v.top == *s.c->expect : v.handoff;
    return v;
}

Metrics Measure(const std::vector<Scored>& scored, const Responder::Options& options) {
    Metrics m;
    for (const auto& s : scored) {
        const Verdict v = Judge(s, options);
        if (s.c->expect) {
            ++m.in_scope;
            if (v.right) ++m.in_scope_correct;
            if (v.top == *s.c->expect) ++m.closed_set_correct;
        } else {
            ++m.oos;
            if (v.handoff) ++m.oos_handed_off;
        }
        if (v.answers) {
            ++m.answered;
            if (v.right && s.c->expect) ++m.answered_correct;
            if (!s.c->expect) ++m.answered_oos;
        }
        if (v.handoff) ++m.handed_off;
    }
    return m;
}

std::vector<Scored> Score(const Responder& responder, const std::vector<Case>& cases, double* seconds,
                          std::vector<std::shared_ptr<const kb::Index>>& keep_alive) {
    std::vector<Scored> out;
    out.reserve(cases.size());
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& c : cases) {
        Decision d = responder.Decide(c.text);
        Scored::Route route = Scored::Route::kRetrieval;
        if (d.kind == Decision::Kind::kSmallTalk) route = Scored::Route::kCourtesy;
        if (d.kind == Decision::Kind::kHandoff && d.reason == chat::v1::HANDOFF_REASON_CUSTOMER_REQUEST) {
            route = Scored::Route::kHumanRequest;
        }
        if (d.index && (keep_alive.empty() || keep_alive.back() != d.index)) keep_alive.push_back(d.index);
        out.push_back({&c, DetectLanguage(c.text), route, std::move(d.candidates)});
    }
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

bool ValidObjective(const std::string& objective, std::string_view prefix) {
    if (objective.rfind(prefix, 0) != 0) return false;
    try {
        std::size_t used = 0;
        const std::string number = objective.substr(prefix.size());
        const double v = std::stod(number, &used);
        return used == number.size() && v >= 0 && v <= 100;
    } catch (const std::exception&) {
        return false;
    }
}

// z with P(Z <= z) = p for a standard normal Z, p in [0.5, 1) (0 for 0.5 or less); by bisection.
double NormalQuantile(double p) {
    if (p <= 0.5) return 0;
    double lo = 0, hi = 10;
    for (int i = 0; i < 100; ++i) {
        const double mid = (lo + hi) / 2;
        (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

// The objective's constraint — answer precision for "precision:P", OOS recall for "oos-recall:R" —
// as measured on `m`: with z > 0, at the pessimistic end of its one-sided Wilson interval.
double Constrained(const Metrics& m, const std::string& objective, double oos_share, double z) {
    return objective.rfind("oos-recall:", 0) == 0 ? m.OosRecallAt(z) : m.PrecisionAt(oos_share, z);
}
double Target(const std::string& objective) { return std::stod(objective.substr(objective.find(':') + 1)); }

// The objective tuned on the validation cases: "balanced" (in-scope accuracy + OOS recall), or the
// most correct answers while the constraint ("precision:P", "oos-recall:R") holds.
double Objective(const Metrics& m, const std::string& objective, double oos_share, double z) {
    if (objective == "balanced") return m.InScopeAccuracy() + m.OosRecall();
    const double held = Constrained(m, objective, oos_share, z);
    return held >= Target(objective) ? m.InScopeAccuracy() : -1.0 + held / 1000.0;
}

// Every threshold and margin the tuning considers (0..1 by 0.01, 0..0.2 by 0.01).
template <class Visit>
void Sweep(const std::vector<Scored>& s, const Responder::Options& base, Visit&& visit) {
    for (int ti = 0; ti <= 100; ++ti) {
        for (int mi = 0; mi <= 20; ++mi) {
            Responder::Options o = base;
            o.threshold = ti / 100.0;
            o.margin = mi / 100.0;
            visit(o, Measure(s, o));
        }
    }
}

struct Tuning {
    std::string objective = "balanced";
    double oos_share = -1;
    double z = 0;        // how sure the constraint must be (0: as measured)
    double margin = -1;  // fixed when >= 0
};

// The threshold and margin (and, with several languages, a threshold per language) that maximize
// the objective on `tuned`, starting from `options`.
Responder::Options Tune(const std::vector<Scored>& tuned, Responder::Options options, const Tuning& t) {
    double best = -1e9;
    Sweep(tuned, options, [&](const Responder::Options& o, const Metrics& m) {
        if (t.margin >= 0 && o.margin != t.margin) return;
        const double v = Objective(m, t.objective, t.oos_share, t.z);
        if (v > best) {
            best = v;
            options.threshold = o.threshold;
            options.margin = o.margin;
        }
    });
    // Several languages: a threshold each (their score scales differ), the margin shared.
    std::map<std::string, std::vector<Scored>> by_lang;
    for (const auto& sc : tuned) by_lang[sc.lang].push_back(sc);
    if (by_lang.size() > 1) {
        for (const auto& [lang, subset] : by_lang) {
            double best_lang = -1e9;
            for (int ti = 0; ti <= 100; ++ti) {
                Responder::Options o = options;
                o.language_thresholds[lang] = ti / 100.0;
                const double v = Objective(Measure(subset, o), t.objective, t.oos_share, t.z);
                if (v > best_lang) {
                    best_lang = v;
                    options.language_thresholds[lang] = ti / 100.0;
                }
            }
        }
    }
    return options;
}

// For --confidence auto: the smallest confidence whose tuning, cross-validated on the tuning cases
// alone (k folds: tune on k - 1, measure on the one left out), still meets the objective's target
// (precision or OOS recall) on the cases it did not see. Returns it, and the cross-validated value
// for each confidence tried (into `report`).
double ChooseConfidence(const std::vector<Scored>& tuned, const Responder::Options& options, Tuning t,
                        nlohmann::json& report) {
    constexpr int kFolds = 5;
    constexpr double kConfidences[] = {0, 0.5, 0.75, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99};
    for (const double c : kConfidences) {
        t.z = NormalQuantile(c);
        Metrics held_out;
        for (int f = 0; f < kFolds; ++f) {
            std::vector<Scored> train, test;
            for (std::size_t i = 0; i < tuned.size(); ++i)
                (static_cast<int>(i % kFolds) == f ? test : train).push_back(tuned[i]);
            held_out += Measure(test, Tune(train, options, t));
        }
        const double value = Constrained(held_out, t.objective, t.oos_share, 0);
        report[std::to_string(c).substr(0, 5)] = value;
        if (value >= Target(t.objective)) return c;
    }
    return kConfidences[std::size(kConfidences) - 1];
}

}  // namespace

int RunEval(int argc, char** argv) {
    CLI::App app("Evaluate the assistant's answering on labelled cases; prints one JSON object.", "assistant eval");
    std::string kb_path, cases_path, tune_path, sweep_csv, objective = "balanced";
    std::optional<double> threshold;
    double margin = -1;
    app.add_option("--kb", kb_path, "knowledge base, JSON Lines")->required()->check(CLI::ExistingFile);
    app.add_option("--cases", cases_path, "cases to report, JSON Lines {\"text\",\"expect\": id|null}")
        ->required()
        ->check(CLI::ExistingFile);
    auto* tune = app.add_option("--tune-on", tune_path, "choose threshold and margin on these cases (e.g. val)")
                     ->check(CLI::ExistingFile);
    app.add_option("--threshold", threshold, "answer only at or above this score (default: the engine's)")
        ->excludes(tune)
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--margin", margin, "minimum lead over the second article (default: the engine's or tuned)");
    app.add_option("--objective", objective,
                   "what --tune-on maximizes: 'balanced' (in-scope accuracy + OOS recall), 'precision:P' "
                   "(most correct answers with answer precision >= P%) or 'oos-recall:R' (most correct answers "
                   "handing off >= R% of out-of-scope cases)")
        ->capture_default_str();
    double oos_share = -1;
    app.add_option("--oos-share", oos_share,
                   "for 'precision:P': the share (0..1) of out-of-scope messages expected in real traffic, when "
                   "the tuning cases have another (CLINC150's val has 3%, its test 18%); default: as in the cases")
        ->check(CLI::Range(0.0, 0.99));
    std::string confidence_setting = "0";
    app.add_option("--confidence,--precision-confidence", confidence_setting,
                   "for 'precision:P' and 'oos-recall:R': how sure the tuning cases must make it that the "
                   "target holds (one-sided Wilson bound, 0..0.999; 0 = as they measure it), or 'auto': the "
                   "least that meets it in 5-fold cross-validation on the tuning cases")
        ->check([](const std::string& v) -> std::string {
            if (v == "auto") return {};
            try {
                std::size_t used = 0;
                const double c = std::stod(v, &used);
                if (used == v.size() && c >= 0 && c <= 0.999) return {};
            } catch (const std::exception&) {
            }
            return "must be a number in 0..0.999 or 'auto'";
        })
        ->capture_default_str();
    std::vector<double> weights;
    app.add_option("--index-weights", weights,
                   "retrieval weights: words bigrams chars second-variant semantic (default: the engine's)")
        ->expected(5);
    kb::Index::Options index_options;  // the engine's defaults unless overridden
    app.add_option("--classifier-weight", index_options.classifier_weight,
                   "share of the score from the classifier trained on the variants (0 = retrieval only)")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    app.add_option("--semantic-candidates", index_options.semantic_candidates,
                   "encoders' similarity for the variants of this many articles only, the best by retrieval "
                   "and by the classifier (0 = every variant)")
        ->capture_default_str();
    app.add_option("--classifier-epochs", index_options.classifier.epochs, "the classifier's training epochs")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    app.add_option("--classifier-learning-rate", index_options.classifier.learning_rate,
                   "the classifier's SGD learning rate at the first epoch")
        ->capture_default_str();
    app.add_option("--classifier-l2", index_options.classifier.l2, "the classifier's L2 weight decay per example")
        ->capture_default_str();
    app.add_option("--classifier-lexical-scale", index_options.classifier_lexical_scale,
                   "scale of the lexical features in the classifier (embeddings: --classifier-semantic-scale)")
        ->capture_default_str();
    app.add_option("--classifier-semantic-scale", index_options.classifier_semantic_scale,
                   "scale of the embeddings in the classifier")
        ->capture_default_str();
    std::string encoder_setting = "use";  // what the demo runs: multilingual and fast
    app.add_option("--encoders", encoder_setting,
                   "sentence encoders: 'off', or a comma-separated list of 'minilm' and 'bge' (English) "
                   "and 'use' (multilingual), each optionally name=DIR")
        ->capture_default_str();
    app.add_option("--sweep-csv", sweep_csv, "write the threshold sweep on the reported cases to this CSV");
    std::string mistakes_path;
    app.add_option("--mistakes", mistakes_path,
                   "write the reported cases the engine got wrong at the chosen threshold to this JSON Lines file "
                   "(text, expected, answered or handed off, top candidates with their score, retrieval score, "
                   "classifier probability and best variant's similarity)");
    std::string cache_dir;
    app.add_option("--embedding-cache", cache_dir,
                   "keep every embedding in DIR/<encoder>.emb and reuse it in later runs (for runs that "
                   "differ in knobs only; delete the files when a model changes)")
        ->check(CLI::ExistingDirectory);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (objective != "balanced" && !ValidObjective(objective, "precision:") &&
        !ValidObjective(objective, "oos-recall:")) {
        std::cerr << "assistant eval: --objective must be 'balanced', 'precision:P' or 'oos-recall:R' (P, R in 0..100)\n";
        return 2;
    }
    const bool auto_confidence = confidence_setting == "auto";
    double confidence = auto_confidence ? 0 : std::stod(confidence_setting);
    if (auto_confidence && (objective == "balanced" || tune_path.empty())) {
        std::cerr << "assistant eval: --confidence auto needs --tune-on and --objective precision:P or "
                     "oos-recall:R\n";
        return 2;
    }

    auto articles = kb::LoadJsonlFile(kb_path);
    if (!articles) {
        std::cerr << "assistant eval: " << articles.error().message << "\n";
        return 2;
    }
    std::vector<std::string> kb_ids;
    for (const auto& a : *articles) kb_ids.push_back(a.id.str());
    std::sort(kb_ids.begin(), kb_ids.end());
    auto cases = LoadCases(cases_path);
    if (!cases) {
        std::cerr << "assistant eval: " << cases.error().message << "\n";
        return 2;
    }
    if (Status known = ExpectKnownArticles(*cases, kb_ids, cases_path); !known.ok()) {
        std::cerr << "assistant eval: " << known.error().message << "\n";
        return 2;
    }
    double semantic_weight = kb::Index::Semantic{}.weight;
    if (weights.size() == 5) {
        index_options.word_weight = weights[0];
        index_options.bigram_weight = weights[1];
        index_options.char_weight = weights[2];
        index_options.second_variant_weight = weights[3];
        semantic_weight = weights[4];
    }
    auto encoders = LoadEncoders(encoder_setting, semantic_weight, /*cache=*/false);
    if (!encoders) {
        std::cerr << "assistant eval: " << encoders.error().message << "\n";
        return 2;
    }
    std::vector<std::unique_ptr<EmbeddingFileCache>> caches;
    if (!cache_dir.empty()) {
        std::stringstream names(encoders->names);
        for (auto& space : encoders->spaces) {
            std::string name;
            std::getline(names, name, ',');
            auto cache = EmbeddingFileCache::Open(*space.embedder, cache_dir + "/" + name + ".emb");
            if (!cache) {
                std::cerr << "assistant eval: " << cache.error().message << "\n";
                return 2;
            }
            space.embedder = cache->get();
            caches.push_back(std::move(cache).value());
        }
    }
    const auto build_started = std::chrono::steady_clock::now();
    const kb::LiveIndex index(
        std::make_shared<const kb::Index>(std::move(articles).value(), index_options, encoders->spaces));
    const double build_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - build_started).count();
    Responder::Options options;  // the engine's defaults
    if (threshold) options.threshold = *threshold;
    if (margin >= 0) options.margin = margin;
    Responder::Options raw = options;
    raw.threshold = 0;
    raw.margin = 0;
    const Responder responder(index, raw);
    std::vector<std::shared_ptr<const kb::Index>> keep_alive;

    nlohmann::json confidence_report;
    if (!tune_path.empty()) {
        auto tune_cases = LoadCases(tune_path);
        if (!tune_cases) {
            std::cerr << "assistant eval: " << tune_cases.error().message << "\n";
            return 2;
        }
        if (Status known = ExpectKnownArticles(*tune_cases, kb_ids, tune_path); !known.ok()) {
            std::cerr << "assistant eval: " << known.error().message << "\n";
            return 2;
        }
        double ignored = 0;
        const auto tuned = Score(responder, *tune_cases, &ignored, keep_alive);
        Tuning t{objective, oos_share, 0, margin};
        if (auto_confidence) {
            confidence = ChooseConfidence(tuned, options, t, confidence_report);
        }
        t.z = NormalQuantile(confidence);
        options = Tune(tuned, options, t);
    }

    double seconds = 0;
    const auto scored = Score(responder, *cases, &seconds, keep_alive);
    const Metrics m = Measure(scored, options);
    if (!sweep_csv.empty()) {
        std::ofstream csv(sweep_csv);
        csv << "threshold,margin,in_scope_accuracy,oos_recall,answer_precision,handed_off\n";
        Sweep(scored, options, [&](const Responder::Options& o, const Metrics& x) {
            if (o.margin != options.margin) return;
            csv << o.threshold << "," << o.margin << "," << x.InScopeAccuracy() << "," << x.OosRecall() << ","
                << x.Precision() << "," << x.handed_off << "\n";
        });
    }
    if (!mistakes_path.empty()) {
        std::ofstream mistakes(mistakes_path);
        constexpr const char* kRoutes[] = {"retrieval", "courtesy", "human_request"};
        for (const auto& sc : scored) {
            const Verdict v = Judge(sc, options);
            if (v.right) continue;
            nlohmann::json line{{"text", sc.c->text},
                                {"expect", sc.c->expect ? nlohmann::json(*sc.c->expect) : nlohmann::json()},
                                {"answered", v.answers},
                                {"route", kRoutes[static_cast<int>(sc.route)]}};
            for (std::size_t i = 0; i < sc.candidates.size() && i < 3; ++i) {
                const kb::Match& c = sc.candidates[i];
                line["candidates"].push_back({{"id", c.article->id.str()},
                                              {"score", c.score},
                                              {"retrieval", c.retrieval},
                                              {"probability", c.probability},
                                              {"best_variant", c.best_variant}});
            }
            mistakes << line.dump() << "\n";
        }
        if (!mistakes) {
            std::cerr << "assistant eval: cannot write " << mistakes_path << "\n";
            return 2;
        }
    }
    nlohmann::json out{
        {"in_scope_accuracy", m.InScopeAccuracy()},
        {"oos_recall", m.OosRecall()},
        {"closed_set_accuracy", m.ClosedSet()},
        {"answer_precision", m.Precision()},
        {"handed_off", m.handed_off},
        {"answered", m.answered},
        {"threshold", options.threshold},
        {"language_thresholds", options.language_thresholds},
        {"margin", options.margin},
        {"objective", tune_path.empty() ? "none" : objective},
        {"confidence", confidence},
        {"cases", static_cast<int>(cases->size())},
        {"in_scope_cases", m.in_scope},
        {"oos_cases", m.oos},
        {"queries_per_second", seconds > 0 ? static_cast<double>(cases->size()) / seconds : 0.0},
        {"encoders", encoders->names},
        {"classifier_weight", index_options.classifier_weight},
        {"index_build_seconds", build_seconds},
    };
    if (auto_confidence) out["confidence_cross_validated"] = confidence_report;
    // Per language (the customer's, detected from the text as the engine does): Russian should be
    // as good as English.
    std::map<std::string, std::vector<Scored>> by_lang;
    for (const auto& sc : scored) by_lang[DetectLanguage(sc.c->text)].push_back(sc);
    if (by_lang.size() > 1) {
        for (const auto& [lang, subset] : by_lang) {
            const Metrics lm = Measure(subset, options);
            out["by_language"][lang] = {{"cases", static_cast<int>(subset.size())},
                                        {"in_scope_accuracy", lm.InScopeAccuracy()},
                                        {"oos_recall", lm.OosRecall()},
                                        {"closed_set_accuracy", lm.ClosedSet()},
                                        {"answer_precision", lm.Precision()}};
        }
    }
    std::cout << out.dump(2) << "\n";
    return 0;
}

}  // namespace switchboard::assistant
