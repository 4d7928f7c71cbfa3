#include "sparsechaos/io/meta_writer.hpp"

#include "sparsechaos/io/timestamp.hpp"
#include "sparsechaos/mpi_comm.hpp"
#include "sparsechaos/version.hpp"

namespace sparsechaos::io {

void write_meta(h5::file& file, const run_metadata& meta) {
    h5::group m = file.create_group("meta");
    m.write_string("config", meta.config_text).close();
    if (!meta.population_names.empty()) {
        m.write_strings("populations", meta.population_names).close();
        m.write("population_sizes", meta.population_sizes).close();
    }
    m.set_attribute("version", sparsechaos::version);
    m.set_attribute("git_revision", sparsechaos::git_revision);
    m.set_attribute("command_line", meta.command_line);
    m.set_attribute("created", utc_now());
    m.set_attribute("ranks", size_of(file.comm()));
    if (meta.model) m.set_attribute("model", *meta.model);
    m.set_attribute("neurons", meta.neurons);
    m.set_attribute("synapses", meta.synapses);
    if (meta.spikes) m.set_attribute("spikes", *meta.spikes);
    m.set_attribute("simulated_time_ms", meta.t_end_ms);
    m.set_attribute("build_wall_s", meta.build_wall_s);
    m.set_attribute("run_wall_s", meta.run_wall_s);
    {
        std::string blas = meta.blas;
        long long info[2] = {(long long)blas.size(), meta.blas_threads};
        MPI_Bcast(info, 2, MPI_LONG_LONG, 0, file.comm());
        blas.resize(std::size_t(info[0]));
        MPI_Bcast(blas.data(), int(info[0]), MPI_CHAR, 0, file.comm());
        if (!blas.empty()) {
            m.set_attribute("blas", blas);
            m.set_attribute("blas_threads", int(info[1]));
        }
    }
    if (!meta.phase_names.empty()) {
        h5::group timers = m.create_group("timers");
        for (std::size_t k = 0; k < meta.phase_names.size(); ++k) {
            h5::dataset d = timers.write(meta.phase_names[k], meta.phase_seconds[k]);
            d.set_attribute("units", "s");
            d.close();
        }
        timers.set_attribute("layout", "one dataset per phase, one value per rank");
        timers.close();
    }
    m.close();
}

}  // namespace sparsechaos::io
