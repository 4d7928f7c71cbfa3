#include "sparsechaos/io/edge_list.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "sparsechaos/io/graph_file_error.hpp"

namespace sparsechaos::io {

edge_list read_edge_list(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw graph_file_error(path + ": cannot open the edge list");
    edge_list out;
    std::string text;
    std::uint64_t line_number = 0;
    bool first = true;
    static const char* names[] = {"pre", "post", "weight", "delay"};
    while (std::getline(in, text)) {
        ++line_number;
        if (const auto hash = text.find('#'); hash != std::string::npos) text.resize(hash);
        std::vector<std::string> fields;
        std::size_t pos = 0;
        while (pos < text.size()) {
            while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r')) ++pos;
            const std::size_t start = pos;
            while (pos < text.size() && !(text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\r')) ++pos;
            if (pos > start) fields.push_back(text.substr(start, pos - start));
        }
        if (fields.empty()) continue;
        const std::string where = path + ":" + std::to_string(line_number) + ": ";
        if (fields.size() < 2 || fields.size() > 4)
            throw graph_file_error(where + "expected 'pre post [weight [delay]]', got " + std::to_string(fields.size()) +
                                   " columns");
        if (first) {
            out.columns = int(fields.size());
            first = false;
        } else if (int(fields.size()) != out.columns) {
            throw graph_file_error(where + std::to_string(fields.size()) + " columns, but earlier lines have " +
                                   std::to_string(out.columns));
        }
        for (int c = 0; c < 2; ++c) {
            const std::string& f = fields[c];
            char* end = nullptr;
            errno = 0;
            const unsigned long long v = std::strtoull(f.c_str(), &end, 10);
            if (f.empty() || f[0] == '-' || f[0] == '+' || *end != '\0' || errno == ERANGE)
                throw graph_file_error(where + "column " + std::to_string(c + 1) + " (" + names[c] +
                                       "): not a node id >= 0: '" + f + "'");
            (c == 0 ? out.pre : out.post).push_back(v);
        }
        for (int c = 2; c < out.columns; ++c) {
            const std::string& f = fields[c];
            char* end = nullptr;
            const double v = std::strtod(f.c_str(), &end);
            if (*end != '\0' || f.empty())
                throw graph_file_error(where + "column " + std::to_string(c + 1) + " (" + names[c] + "): not a number: '" + f + "'");
            if (!std::isfinite(v))
                throw graph_file_error(where + "column " + std::to_string(c + 1) + " (" + names[c] + "): " + f +
                                       (std::isnan(v) ? " (a weight or delay must be a number)" : " (must be finite)"));
            if (c == 3 && v < 0) throw graph_file_error(where + "column 4 (delay): negative delay " + f + " ms");
            (c == 2 ? out.weight : out.delay_ms).push_back(v);
        }
        out.line.push_back(line_number);
    }
    if (in.bad()) throw graph_file_error(path + ": read error");
    return out;
}

}  // namespace sparsechaos::io
